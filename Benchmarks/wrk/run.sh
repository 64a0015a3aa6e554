#!/usr/bin/env bash
# Loopback figures for the replay server and the recording proxy, measured with wrk (a C client, not Python).
# Usage, from the repository root: bash Benchmarks/wrk/run.sh   (builds `micro` in release mode first; needs wrk)
#   1. replay server: `micro replay serve` over a recorded streamed Anthropic answer, --allow-repeats, 32
#      connections for 10 s: replayed streamed responses per second.
#   2. recording proxy: `micro replay serve --mode all --upstream <stand-in>`, one connection, 2,000+ distinct
#      requests, against the same requests sent to the stand-in directly: per-call overhead of recording.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product micro >/dev/null
micro="$(swift build -c release --show-bin-path)/micro"
script="$PWD/Benchmarks/wrk/anthropic-post.lua"
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
export no_proxy="127.0.0.1,localhost"

serve() {  # serve LOG ARGS…: starts `micro ARGS` in the background, prints the port it bound
    local log="$1"; shift
    "$micro" "$@" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do grep -q 'on http://127.0.0.1:' "$log" && break; sleep 0.1; done
    sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1
}

echo "==> replay server: Recordings/anthropic-answer.json, --allow-repeats, wrk -t2 -c32 -d10s"
replay="$(serve "$work/replay.log" replay serve --cassette Recordings/anthropic-answer.json --match path --allow-repeats --port 0)"
wrk -t2 -c32 -d10s -s "$script" "http://127.0.0.1:$replay" | grep -E "Requests/sec|Latency|Non-2xx"

standin="$(serve "$work/standin.log" standin serve --port 0)"
echo "==> the stand-in directly: wrk -t1 -c1 -d10s, distinct requests"
MICRO_DISTINCT=1 wrk -t1 -c1 -d10s -s "$script" "http://127.0.0.1:$standin" | grep -E "Requests/sec|Latency|requests in"
proxy="$(serve "$work/proxy.log" replay serve --cassette "$work/proxy.json" --mode all --upstream "http://127.0.0.1:$standin" --port 0)"
echo "==> through the recording proxy: wrk -t1 -c1 -d10s, distinct requests (every one recorded)"
MICRO_DISTINCT=1 wrk -t1 -c1 -d10s -s "$script" "http://127.0.0.1:$proxy" | grep -E "Requests/sec|Latency|requests in"
kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
python3 - "$work/proxy.json" <<'PY'
import json, sys, os
path = sys.argv[1]
cassette = json.load(open(path)) if os.path.exists(path) else {"interactions": []}
journal = sum(1 for _ in open(path + ".journal")) if os.path.exists(path + ".journal") else 0
print(f"recorded: {len(cassette['interactions'])} interactions in the cassette, {journal} in the journal")
PY
