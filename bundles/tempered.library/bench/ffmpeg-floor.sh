#!/usr/bin/env bash
# The floor for `tempered tag --dry-run`: ffmpeg decoding the same files to the model's rate, mono float, two
# processes at a time (the machine's two cores), (a) whole files, (b) only the model's analysis windows (up
# to three windows from start to end, the whole file when it is no longer than one window).
# Usage: [RATE=12000 WIN=29] bench/ffmpeg-floor.sh DIR...   (prints files, audio minutes, seconds and x real
# time for both). Defaults: the convnet model's 12,000 Hz and 29 s; RATE=22050 WIN=30 for gtzan-mlp.
set -euo pipefail
export RATE="${RATE:-12000}" WIN="${WIN:-29}"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
for d in "$@"; do
  find -L "$d" -type f \( -iname '*.mp3' -o -iname '*.ogg' -o -iname '*.opus' -o -iname '*.flac' \) -print0
done | sort -z > "$list"
n=$(tr -cd '\0' < "$list" | wc -c)
total=$(xargs -0 -n1 ffprobe -v error -show_entries format=duration -of csv=p=0 < "$list" \
  | awk '{s+=$1} END {printf "%.1f", s}')
whole() { ffmpeg -nostdin -v error -threads 1 -i "$1" -ac 1 -ar "$RATE" -f f32le -y /dev/null; }
windows() {
  local f="$1" dur
  dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")
  if awk -v d="$dur" -v w="$WIN" 'BEGIN {exit !(d <= w)}'; then
    ffmpeg -nostdin -v error -threads 1 -i "$f" -ac 1 -ar "$RATE" -f f32le -y /dev/null
  else
    for s in $(awk -v d="$dur" -v w="$WIN" 'BEGIN {n = int((d + w - 0.001) / w); if (n > 3) n = 3; for (i = 0; i < n; i++) print i * (d - w) / (n - 1)}'); do
      ffmpeg -nostdin -v error -threads 1 -ss "$s" -t "$WIN" -i "$f" -ac 1 -ar "$RATE" -f f32le -y /dev/null
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
