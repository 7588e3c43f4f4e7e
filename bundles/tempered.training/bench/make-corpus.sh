#!/usr/bin/env bash
# A folder-labelled corpus for `tempered train` from Debian's music packages (scripts/setup-debian.sh --test):
# symlinks, so nothing is copied. Labels are our own names; albums are the packages' own album folders
# (warzone2100) or runs of 4 tracks in name order (wesnoth, singularity ship no albums).
set -euo pipefail
OUT=${1:?usage: make-corpus.sh DIR}
mkdir -p "$OUT"
group() { # label, album size, files...
  local label=$1 size=$2; shift 2; local i=0
  for f in "$@"; do
    local d="$OUT/$label/album$((i / size + 1))"; mkdir -p "$d"; ln -sf "$f" "$d/"; i=$((i + 1))
  done
}
mapfile -t W < <(find /usr/share/games/wesnoth/1.16/data/core/music -name '*.ogg' | sort)
mapfile -t S < <(find /usr/share/games/singularity/music -name '*.ogg' | sort)
group Orchestral 4 "${W[@]}"
group Electronic 4 "${S[@]}"
for a in /usr/share/games/warzone2100/music/albums/*/; do
  d="$OUT/Soundtrack/$(basename "$a")"; mkdir -p "$d"
  find "$a" -maxdepth 1 \( -name '*.opus' -o -name '*.mp3' -o -name '*.ogg' \) -exec ln -sf {} "$d/" \;
done
find "$OUT" -type l | awk -F/ '{print $(NF-2)}' | sort | uniq -c
