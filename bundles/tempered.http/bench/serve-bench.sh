#!/usr/bin/env bash
# Speed of tempered serve: start-up to a listening API, and the latency of analyse (by path and upload), a
# temperature change and a model swap, against `tempered analyze --format json` for the same file.
# Usage: bundles/tempered.http/bench/serve-bench.sh [AUDIO_FILE]   (default: Debian's asc-music frontiers.mp3)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
FILE="${1:-/usr/share/games/asc/music/frontiers.mp3}"
HOME_DIR="$(mktemp -d /tmp/serve-bench-XXXXXX)"
OUT="$HOME_DIR/serve.out"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
"$ROOT/tempered" --version >/dev/null   # builds first if needed, outside the timing
t0=$(date +%s%N)
"$ROOT/tempered" --home "$HOME_DIR" serve --port 0 >"$OUT" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$HOME_DIR"' EXIT
until grep -q 'Tempered API at' "$OUT"; do sleep 0.05; kill -0 $PID || { cat "$OUT"; exit 2; }; done
echo "start-up to a listening API: $(ms $t0) ms (load average $(cut -d" " -f1 /proc/loadavg))"
U=$(grep -o 'http://[^ ]*/' "$OUT" | head -1)
T=$(cat "$HOME_DIR/serve.token")
call() { local t=$(date +%s%N); curl -sf -o /dev/null -H "X-Tempered-Token: $T" "$@"; ms $t; }
runs() { local label=$1; shift; local all=(); for i in 1 2 3 4 5; do all+=($(call "$@")); done
  echo "$label: $(printf '%s\n' "${all[@]}" | sort -n | tr '\n' ' ')ms (5 runs, sorted)"; }
runs "POST /analyze (by path)" -d "{\"paths\": [\"$FILE\"]}" "${U}analyze"
runs "POST /analyze/upload" --data-binary "@$FILE" "${U}analyze/upload?name=$(basename "$FILE")"
runs "PUT temperature (until the calibrator applies it)" -X PUT -d '{"temperature": 1.5}' "${U}models/choi-gtzan/temperature"
curl -sf -o /dev/null -H "X-Tempered-Token: $T" -X PUT -d '{"reset": true}' "${U}models/choi-gtzan/temperature"
all=(); for m in gtzan-mlp choi-gtzan gtzan-mlp choi-gtzan gtzan-mlp choi-gtzan; do
  all+=($(call -X PUT -d "{\"model\": \"$m\"}" "${U}models/active")); done
echo "PUT /models/active (alternating gtzan-mlp, choi-gtzan): $(printf '%s\n' "${all[@]}" | sort -n | tr '\n' ' ')ms (6 swaps, sorted)"
all=(); for i in 1 2 3; do t=$(date +%s%N); "$ROOT/tempered" --home "$HOME_DIR" analyze --format json "$FILE" >/dev/null; all+=($(ms $t)); done
echo "tempered analyze --format json (start-up included): $(printf '%s\n' "${all[@]}" | sort -n | tr '\n' ' ')ms (3 runs)"
