#!/usr/bin/env bash
# The floor for `tempered tag --dry-run`: ffmpeg decoding the same files to 22,050 Hz mono float, two
# processes at a time (the machine's two cores), (a) whole files, (b) only the default model's analysis
# windows (three 30 s windows from start to end, the whole file when it is 30 s or shorter).
# Usage: bench/ffmpeg-floor.sh DIR...   (prints files, audio minutes, seconds and x real time for both)
set -euo pipefail
list=$(mktemp)
trap 'rm -f "$list"' EXIT
for d in "$@"; do
  find -L "$d" -type f \( -iname '*.mp3' -o -iname '*.ogg' -o -iname '*.opus' -o -iname '*.flac' \) -print0
done | sort -z > "$list"
n=$(tr -cd '\0' < "$list" | wc -c)
total=$(xargs -0 -n1 ffprobe -v error -show_entries format=duration -of csv=p=0 < "$list" \
  | awk '{s+=$1} END {printf "%.1f", s}')
whole() { ffmpeg -nostdin -v error -threads 1 -i "$1" -ac 1 -ar 22050 -f f32le -y /dev/null; }
windows() {
  local f="$1" dur
  dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")
  if awk -v d="$dur" 'BEGIN {exit !(d <= 30)}'; then
    ffmpeg -nostdin -v error -threads 1 -i "$f" -ac 1 -ar 22050 -f f32le -y /dev/null
  else
    for s in $(awk -v d="$dur" 'BEGIN {n = int((d + 29.999) / 30); if (n > 3) n = 3; for (i = 0; i < n; i++) print i * (d - 30) / (n - 1)}'); do
      ffmpeg -nostdin -v error -threads 1 -ss "$s" -t 30 -i "$f" -ac 1 -ar 22050 -f f32le -y /dev/null
    done
  fi
}
export -f whole windows
for mode in whole windows; do
  t0=$(date +%s.%N)
  xargs -0 -P2 -I{} bash -c "$mode \"\$1\"" _ {} < "$list"
  t1=$(date +%s.%N)
  awk -v m="$mode" -v n="$n" -v a="$total" -v t0="$t0" -v t1="$t1" \
    'BEGIN {t = t1 - t0; printf "ffmpeg %-7s files %d, audio %.1f min, %.1f s, %.1f tracks/min, %.1fx real time\n", m, n, a / 60, t, n * 60 / t, a / t}'
done
