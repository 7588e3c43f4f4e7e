#!/usr/bin/env bash
# Installs what Tempered needs on Debian/Ubuntu. Without --test: what running needs. With --test: also
# what the test suite needs (ffmpeg to make fixtures, the free music corpora from Debian's archive, beets for
# the beets plugin's test).
# As root it installs; otherwise it prints the apt-get line to run and fails.
set -euo pipefail

# Running: the JDK, libsndfile, libsoxr and FFmpeg's libraries. Building (./tempered builds on first use): Maven,
# and gcc with FFmpeg's headers for the small C shim in native/tempered.native.audio.
runtime=(openjdk-17-jdk-headless maven libsndfile1 libsoxr0 libavformat59 libavcodec59 libavutil57
  gcc libc6-dev libavformat-dev libavcodec-dev libavutil-dev)
# kid3-cli (TagLib) and python3-mutagen: the independent readers of the tag interop test; beets: the beets plugin test.
testing=(ffmpeg asc-music singularity-music warzone2100-music wesnoth-1.16-music xvfb kid3-cli python3-mutagen beets)

want=("${runtime[@]}")
if [ "${1:-}" = "--test" ]; then
  want+=("${testing[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Tempered needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
  exit 2
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; an old list may name versions that are gone.
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
