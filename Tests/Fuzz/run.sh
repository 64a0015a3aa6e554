#!/usr/bin/env bash
# Builds Micro's libFuzzer targets (with AddressSanitizer) and runs each for a bounded time.
#
#   bash Tests/Fuzz/run.sh [SECONDS] [TARGET...]     SECONDS per target (default 30); all targets by default
#
# Each target starts from a copy of its seed corpus (Tests/Fuzz/Corpus/<Target>/) in a temporary folder, so the
# repository is never modified. Exits non-zero when any target finds something (a crash, a trap such as a broken
# invariant, a timeout of a single input past 10 s, an out-of-memory, an ASan report), printing the input's path
# and its bytes in base64: turn each into a regression test in the main package's suite and add it to the corpus.
#
# Leak detection is off (-detect_leaks=0): the Swift runtime's metadata caches and lazily initialised globals
# (the targets' shared servers among them) are reported by LeakSanitizer as leaks at exit, which are not bugs.
#
# Environment: FUZZ_SEED (default 1) seeds every run, so a finding replays; FUZZ_KEEP=1 keeps the temporary
# folder (grown corpora, logs); FUZZ_JOBS is not supported (the
# targets run one after the other on one core).
set -uo pipefail
cd "$(dirname "$0")"

seconds="${1:-30}"
shift || true
all=(FuzzSSE FuzzNDJSON FuzzJSON FuzzMCPJSONRPC FuzzA2AJSONRPC FuzzScenarioYAML FuzzCassette FuzzCheckpoint)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

# The largest input worth trying per target: recorded streams and cassettes are several KB.
max_len() {
    case "$1" in
    FuzzSSE | FuzzNDJSON | FuzzCassette) echo 16384 ;;
    FuzzScenarioYAML | FuzzMCPJSONRPC | FuzzCheckpoint) echo 8192 ;;
    *) echo 4096 ;;
    esac
}

# SwiftPM passes swiftc `-sanitize=fuzzer -sanitize=address` as two flags and the last one wins (no coverage for
# Swift code); the combined flag, appended last, instruments every Swift module. C modules get both from SwiftPM.
flags=(-c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)
echo "==> swift build ${flags[*]} (Tests/Fuzz)"
start=$(date +%s)
if ! swift build "${flags[@]}"; then
    echo "error: the fuzz targets did not build" >&2
    exit 2
fi
echo "==> built in $(($(date +%s) - start)) s"
bin="$(swift build "${flags[@]}" --show-bin-path)"

work="$(mktemp -d "${TMPDIR:-/tmp}/micro-fuzz.XXXXXX")"
[ "${FUZZ_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:${ASAN_OPTIONS:-}"

failed=()
for target in "${targets[@]}"; do
    dir="$work/$target"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp Corpus/"$target"/* "$dir/corpus/" 2>/dev/null || true
    echo "==> $target: ${seconds} s, max_len $(max_len "$target"), $(ls "$dir/corpus" | wc -l) seeds"
    "$bin/$target" "$dir/corpus" \
        -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=4096 \
        -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" >"$dir/log" 2>&1
    status=$?
    grep -E '^#[0-9]+ +DONE|^stat::number_of_executed_units|^stat::average_exec_per_sec|^stat::peak_rss_mb' "$dir/log" | sed 's/^/    /'
    grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$dir/log" | tail -1 | sed 's/^/    /'
    artifacts=("$dir"/artifacts/*)
    if [ $status -ne 0 ] || [ -e "${artifacts[0]}" ]; then
        failed+=("$target")
        echo "!!! $target found something (exit $status); the end of its log:"
        tail -60 "$dir/log" | sed 's/^/    /'
        for artifact in "${artifacts[@]}"; do
            [ -e "$artifact" ] || continue
            echo "!!! input: $artifact"
            echo "!!! base64: $(base64 -w0 "$artifact")"
        done
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "FUZZ FAILED: ${failed[*]} (inputs kept in $work)"
    trap - EXIT
    exit 1
fi
echo "==> fuzzing passed: ${#targets[@]} targets, ${seconds} s each"
