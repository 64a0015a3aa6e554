#!/usr/bin/env bash
# `micro new` end to end on the bundled generation: a design, a first build that fails on a planted compile
# error, the fix, the green build and the generated package's scenarios passing, with the real `swift build`.
#
#   bash Scripts/new-from-prompt.sh replay        replays Recordings/new-from-prompt.json (CI; no network, no key)
#   bash Scripts/new-from-prompt.sh chaos [KILLS] after replay: the same, SIGKILLed after KILLS (default 3) seeded checkpoints and
#                                                 resumed with `micro runs resume` each time: same package, one
#                                                 build per round
#   bash Scripts/new-from-prompt.sh record        re-makes the cassette against `micro standin serve --script
#                                                 Recordings/new-from-prompt.script.json` (answers written by hand,
#                                                 not by a model; the cassette is marked documented-example and says so)
#
# Why not a file in Scenarios/: a scenario runs in a World on virtual time with in-memory backends, and `micro
# test Scenarios` (the main job) runs every file there in seconds; this generation runs a real `swift build`
# of a new package (minutes, Micro and its dependencies compiled from scratch), a live process on real time.
#
# The package is generated in .build/new-from-prompt/ (inside this repository, so it depends on Micro by
# path). WORK=DIR puts it elsewhere; KEEP_BUILD=1 keeps an earlier generation's .build (faster re-recording).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
mode="${1:-replay}"
name=tip-splitter
prompt="A tip calculator: a service that splits a restaurant bill plus a tip evenly among people, in cents, and an assistant agent that uses it to answer diners."
cassette="$root/Recordings/new-from-prompt.json"
work="${WORK:-$root/.build/new-from-prompt}"

swift build --product micro
micro="$(swift build --show-bin-path)/micro"

fresh() {
    mkdir -p "$work"
    if [ "${KEEP_BUILD:-0}" = 1 ] && [ -d "$work/$name/.build" ]; then
        find "$work/$name" -mindepth 1 -maxdepth 1 ! -name .build -exec rm -rf {} +
    else
        rm -rf "${work:?}/$name"
    fi
    rm -f "$work/$name.new.sqlite" "$work/$name.new.sqlite-wal" "$work/$name.new.sqlite-shm"
}

# The generated package's files (build products left out), hashed, for comparing two generations.
digest() { (cd "$work/$name" && find . -path ./.build -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16); }

check_report() {
    local log="$1"
    grep -q '^  build 1: failed, 1 error(s)' "$log" || { cat "$log"; echo "error: the first build did not fail on the planted error" >&2; exit 1; }
    grep -q "error: cannot find 'tipCent' in scope" "$log" || { cat "$log"; echo "error: the planted error's diagnostic is missing" >&2; exit 1; }
    grep -q '^  build 2: green' "$log" || { cat "$log"; echo "error: the fix did not make the build green" >&2; exit 1; }
    grep -q 'Scenarios (swift run tip-splitter test Scenarios): passed' "$log" || { cat "$log"; echo "error: the generated scenarios did not pass" >&2; exit 1; }
    ! grep -q '^  build 3' "$log" || { cat "$log"; echo "error: more builds than rounds" >&2; exit 1; }
}

case "$mode" in
record)
    export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
    log="$(mktemp)"
    "$micro" standin serve --port "${STANDIN_PORT:-18091}" --script Recordings/new-from-prompt.script.json >"$log" 2>&1 &
    pid=$!
    trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
    for _ in $(seq 100); do grep -q 'serving on' "$log" && break; sleep 0.1; done
    port="$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")"
    [ -n "$port" ] || { cat "$log" >&2; exit 1; }
    fresh
    rm -f "$cassette"
    (cd "$work" && "$micro" new "$name" --prompt "$prompt" --yes --max-fix-rounds 2 --provider openai --model gpt-4o \
        --base-url "http://127.0.0.1:$port/v1" --record "$cassette" \
        --record-notes "Every answer was written by hand for issue 14 (Recordings/new-from-prompt.script.json), not by a model: the design, a logic file with a planted compile error, the fix, and the builds' requests") \
        | tee "$work/record.log"
    check_report "$work/record.log"
    grep -q '"source": "documented-example"' "$cassette" || { echo "error: the cassette is not marked documented-example" >&2; exit 1; }
    echo "==> recorded $cassette"
    ;;
replay)
    fresh
    (cd "$work" && "$micro" new "$name" --prompt "$prompt" --yes --max-fix-rounds 2 --provider openai --model gpt-4o --cassette "$cassette") | tee "$work/replay.log"
    check_report "$work/replay.log"
    digest >"$work/replay.digest"
    echo "==> replayed: package $(cat "$work/replay.digest")"
    ;;
chaos)
    kills="${2:-3}"
    # The reference: the uninterrupted replay's package (run `replay` first; KEEP_BUILD=1 then reuses its .build).
    [ -f "$work/replay.digest" ] || { echo "error: run '$0 replay' first (the uninterrupted generation to compare with)" >&2; exit 1; }
    reference="$(cat "$work/replay.digest")"
    fresh
    db="$work/$name.new.sqlite"
    # Seeded kill points, counted from each process's start (the run commits about 24 checkpoints in all, so three
    # kills after 4 to 8 each land before its end, the later ones around the builds): after each kill, the next process resumes.
    points="$(python3 -c "import random; r = random.Random(${SEED:-7}); print(' '.join(str(p) for p in sorted(r.sample(range(4, 9), $kills))))")"
    echo "==> kills after checkpoints (counted per process): $points"
    first=1
    for point in $points; do
        if [ "$first" = 1 ]; then
            set +e; (cd "$work" && "$micro" new "$name" --prompt "$prompt" --yes --max-fix-rounds 2 --provider openai --model gpt-4o --cassette "$cassette" --crash-after "$point" >/dev/null 2>"$work/kill.log"); status=$?; set -e
            first=0
        else
            set +e; (cd "$work" && "$micro" new "$name" --resume --crash-after "$point" >/dev/null 2>"$work/kill.log"); status=$?; set -e
        fi
        [ "$status" -eq 137 ] || { echo "error: expected a SIGKILL (exit 137) after checkpoint $point, got $status" >&2; exit 1; }
        echo "killed: $(grep -m1 crashing "$work/kill.log" || echo "after checkpoint $point")"
    done
    (cd "$work" && "$micro" runs resume "new-$name" --db "$db") | tee "$work/chaos.log"
    check_report "$work/chaos.log"
    got="$(digest)"
    [ "$got" = "$reference" ] || { echo "error: the package differs from an uninterrupted generation ($got vs $reference)" >&2; exit 1; }
    grep -q '^  2 build round(s), 2 build(s) started' "$work/chaos.log" || { cat "$work/chaos.log"; echo "error: not one build per round" >&2; exit 1; }
    echo "==> chaos: $kills kills, resumed each time; same package ($got); 2 build rounds, 2 builds started"
    ;;
*)
    echo "usage: $0 replay | chaos [KILLS] | record" >&2
    exit 2
    ;;
esac
