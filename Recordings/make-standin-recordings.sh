#!/usr/bin/env bash
# Re-makes the bundled documented-example cassettes in Recordings/: starts `micro standin serve` (the
# providers' documented wire examples on loopback), records each case with `micro record` through our own
# transport, and stops it. For each provider: <provider>-tool-call.json (one model call offered the weather
# tool), <provider>-answer.json (no tools: a text answer) and <provider>-rate-limit.json (HTTP 429); and
# scenario-<provider>.json, the whole sessions of the Scenarios/recorded-*.yaml scenarios (micro test --record).
# The stand-in listens on a fixed port (STANDIN_PORT, default 18090) so that re-made cassettes keep the same
# URLs and differ only in what must change (recording time, Date headers, chunk timing).
set -euo pipefail
cd "$(dirname "$0")/.."
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
# A fake key, so the recordings prove that keys are redacted; never a real one.
fake_key="sk-test-not-a-real-key"
export ANTHROPIC_API_KEY="$fake_key" OPENAI_API_KEY="$fake_key" GEMINI_API_KEY="$fake_key"

swift build --product micro
micro="$(swift build --show-bin-path)/micro"

log="$(mktemp)"
"$micro" standin serve --port "${STANDIN_PORT:-18090}" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q 'serving on' "$log" && break; sleep 0.1; done
port="$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")"
[ -n "$port" ] || { echo "error: the stand-in did not start (port ${STANDIN_PORT:-18090} busy? set STANDIN_PORT):" >&2; cat "$log" >&2; exit 1; }
echo "==> stand-in on 127.0.0.1:$port"

for provider in anthropic openai gemini ollama; do
    case "$provider" in
    anthropic) base="http://127.0.0.1:$port/v1" model=claude-sonnet-4-5 ;;
    openai) base="http://127.0.0.1:$port/v1" model=gpt-4o ;;
    gemini) base="http://127.0.0.1:$port/v1beta" model=gemini-2.5-flash ;;
    ollama) base="http://127.0.0.1:$port" model=llama3.1 ;;
    esac
    common=(--provider "$provider" --model "$model" --base-url "$base")
    echo "==> $provider"
    "$micro" record "${common[@]}" --tools weather --max-steps 1 \
        --prompt "What is the weather in Paris?" --out "Recordings/$provider-tool-call.json"
    "$micro" record "${common[@]}" --prompt "Say hello." --out "Recordings/$provider-answer.json"
    if "$micro" record "${common[@]}" --max-attempts 1 --prompt "Please answer with a rate limit error." \
        --out "Recordings/$provider-rate-limit.json"; then
        echo "error: the rate-limit case did not fail" >&2; exit 1
    fi
done

echo "==> scenario recordings (Scenarios/recorded-*.yaml)"
"$micro" test Scenarios/recorded-anthropic.yaml Scenarios/recorded-openai.yaml Scenarios/recorded-gemini.yaml \
    --record --mode all --base-url "anthropic=http://127.0.0.1:$port/v1" \
    --base-url "openai=http://127.0.0.1:$port/v1" --base-url "gemini=http://127.0.0.1:$port/v1beta"

if grep -l "$fake_key" Recordings/*.json; then
    echo "error: the key above leaked into a recording" >&2; exit 1
fi
grep -L '"source": "documented-example"' Recordings/*-*.json | grep . && { echo "error: not marked documented-example" >&2; exit 1; }
echo "==> recordings written, no key on disk"
