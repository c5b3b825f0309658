#!/usr/bin/env bash
# Benchmarks kstatec and writes bench/results.md.
#
#   bench/run.sh              everything (about 3-5 minutes)
#   QUICK=1 bench/run.sh      fewer repetitions and runs, no callgrind
#
# 1. Configures a Release build with -DKSTATE_BENCH=ON in build-bench/ and
#    builds kstatec and kstate_bench.
# 2. Runs the Google benchmark (in-process FromSources + Yaml() for N = 1,
#    100, 1000, 10000 MariaDB-sized components), pinned to one core.
# 3. Times whole `kstatec build` processes for N = 1 and N = 10000 with
#    hyperfine, beside baselines measured in the same run: `true` (process
#    start) and `cat` of the same input file to /dev/null (start plus reading
#    as many bytes).
# 4. Measures peak memory with /usr/bin/time -v (Debian/Ubuntu package `time`).
# 5. Replays 1,000 single-character edits (QUICK=1: 200) on a 5,000-line file
#    through `kstatec lsp` pinned to one core (bench/lsp_bench.py), timing
#    each change until its diagnostics are published, beside `kstatec check`
#    of the same file as a baseline.
# 6. Profiles N = 10000 with perf (flat, self time), the language server
#    during 200 edits with perf (inclusive), and, when valgrind is installed,
#    N = 1000 with callgrind (inclusive cost per function). With valgrind it
#    also counts the instructions of the two 10,000-component builds and of
#    the grammar alone over the same input (`kstate_bench --recognise`):
#    counts that, unlike times, do not depend on the machine's load.
# 7. Writes bench/results.md: the figures against the goals, as absolute
#    numbers and ratios, with the machine and its load (the figures of a
#    shared machine are only as good as its load average).
#
# Environment: BUILD_DIR (default <repo>/build-bench), RESULTS (default
# bench/results.md), BENCH_CPU (the core to pin to, default 0; empty: no
# pinning), QUICK=1.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD_DIR:-$REPO/build-bench}"
RESULTS="${RESULTS:-$REPO/bench/results.md}"
WORK="$BUILD/bench-work"
QUICK="${QUICK:-0}"
CPU="${BENCH_CPU-0}"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench/run.sh: $1 is required${2:+ ($2)}" >&2; exit 2; }; }
need cmake
need ninja
need python3
need hyperfine "apt-get install hyperfine"
[ -x /usr/bin/time ] || { echo "bench/run.sh: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }

PIN=()
if [ -n "$CPU" ] && command -v taskset >/dev/null 2>&1; then PIN=(taskset -c "$CPU"); fi

echo "== configure and build (Release, KSTATE_BENCH=ON) in $BUILD"
cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKSTATE_BENCH=ON -DKSTATE_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target kstatec kstate_bench
KSTATEC="$BUILD/kstatec"
BENCH="$(find "$BUILD" -name kstate_bench -type f -perm -u+x | head -n1)"

mkdir -p "$WORK"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "== inputs"
for n in 1 1000 10000; do python3 "$REPO/bench/gen_components.py" "$n" "$WORK/n$n.kstate"; done
python3 "$REPO/bench/gen_components.py" --templates 10000 "$WORK/t10000.kstate"
# The C++ generator of kstate_bench must write the same text as the script.
if ! cmp -s <("$BENCH" --dump 25) <(python3 "$REPO/bench/gen_components.py" 25 -); then
  echo "bench/run.sh: kstate_bench and gen_components.py generate different inputs" >&2
  exit 1
fi
if ! cmp -s <("$BENCH" --dump-templates 25) <(python3 "$REPO/bench/gen_components.py" --templates 25 -); then
  echo "bench/run.sh: kstate_bench and gen_components.py --templates generate different inputs" >&2
  exit 1
fi
for input in n1 n10000 t10000; do
  "$KSTATEC" build "$WORK/$input.kstate" >"$WORK/$input.yaml" 2>"$WORK/$input.stderr" || {
    echo "bench/run.sh: the generated input $input.kstate does not compile:" >&2
    head -20 "$WORK/$input.stderr" >&2
    exit 1
  }
done

echo "== Google benchmark (in-process)"
REPS=5
[ "$QUICK" = 1 ] && REPS=1
"${PIN[@]}" "$BENCH" --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true \
  --benchmark_out="$WORK/gbench.json" --benchmark_out_format=json

echo "== hyperfine (whole process)"
RUNS1=200 RUNS2=15
[ "$QUICK" = 1 ] && RUNS1=30 RUNS2=3
"${PIN[@]}" hyperfine -N --warmup 20 --runs "$RUNS1" --export-json "$WORK/hf1.json" \
  "$KSTATEC build $WORK/n1.kstate" "cat $WORK/n1.kstate" "true"
"${PIN[@]}" hyperfine -N --warmup 2 --runs "$RUNS2" --export-json "$WORK/hf10000.json" \
  "$KSTATEC build $WORK/n10000.kstate" "cat $WORK/n10000.kstate" "true"
"${PIN[@]}" hyperfine -N --warmup 2 --runs "$RUNS2" --export-json "$WORK/hft10000.json" \
  "$KSTATEC build $WORK/t10000.kstate" "cat $WORK/t10000.kstate" "true"

echo "== peak memory (/usr/bin/time -v)"
peak_kb() {  # the median of three runs
  for _ in 1 2 3; do
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
  done | sort -n | sed -n 2p
}
MEM_N1="$(peak_kb "$KSTATEC" build "$WORK/n1.kstate")"
MEM_N10000="$(peak_kb "$KSTATEC" build "$WORK/n10000.kstate")"
MEM_CAT="$(peak_kb cat "$WORK/n10000.kstate")"
MEM_N10000_JSON="$(peak_kb "$KSTATEC" build --format json "$WORK/n10000.kstate")"

echo "== language server (bench/lsp_bench.py)"
EDITS=1000
[ "$QUICK" = 1 ] && EDITS=200
python3 "$REPO/bench/lsp_bench.py" --kstatec "$KSTATEC" --edits "$EDITS" --cpu "$CPU" --json "$WORK/lsp.json"

echo "== kstatec apply against kubectl apply --server-side (bench/apply_bench.py)"
if command -v kubectl >/dev/null; then
  python3 "$REPO/bench/apply_bench.py" --kstatec "$KSTATEC" --rounds 5 --json "$WORK/apply.json"
else
  echo "skipped: kubectl is not on PATH"
fi

echo "== profile"
PERF_TXT="$WORK/perf.txt"
: >"$PERF_TXT"
: >"$WORK/perf-inclusive.txt"
: >"$WORK/perf-dso.txt"
: >"$WORK/lsp-perf-inclusive.txt"
tidy() { cut -c1-170 | sed -e 's/[[:space:]]*$//'; }
if command -v perf >/dev/null 2>&1; then
  LOOPS=10
  [ "$QUICK" = 1 ] && LOOPS=3
  RUN_N10000="for i in \$(seq $LOOPS); do '$KSTATEC' build '$WORK/n10000.kstate' >/dev/null; done"
  # Flat profile: self time per function.
  if perf record -q -F 4999 -o "$WORK/perf.data" -- sh -c "$RUN_N10000" 2>"$WORK/perf.err"; then
    perf report -i "$WORK/perf.data" --stdio --no-children --sort symbol -g none --percent-limit 0.7 2>/dev/null |
      grep -E '^ +[0-9]' | tidy | head -n 30 >"$PERF_TXT" || true
    perf report -i "$WORK/perf.data" --stdio --no-children --sort dso -g none 2>/dev/null |
      grep -E '^ +[0-9]' | tidy | head -n 8 >"$WORK/perf-dso.txt" || true
    # Inclusive profile (DWARF unwinding through .eh_frame: no frame pointers
    # needed): time per phase and per kstate function, callees included.
    if perf record -q -F 499 --call-graph dwarf,16384 -o "$WORK/perf-dwarf.data" -- sh -c "$RUN_N10000" \
        2>>"$WORK/perf.err"; then
      perf report -i "$WORK/perf-dwarf.data" --stdio --children --sort symbol -g none --percent-limit 1 2>/dev/null |
        grep -E '^ +[0-9]' | grep -E 'kstate::|main$|page_fault|malloc|free|memmove|memcpy' | tidy |
        head -n 40 >"$WORK/perf-inclusive.txt" || true
    fi
  else
    echo "perf record failed: $(head -c 300 "$WORK/perf.err")" >"$PERF_TXT"
  fi
  # The language server during 200 edits: where an edit's time goes, callees
  # included (the figures of this run are not kept: perf slows the server).
  if python3 "$REPO/bench/lsp_bench.py" --kstatec "$KSTATEC" --edits 200 --baseline-runs 2 --cpu "$CPU" \
      --server-wrapper "perf record -q -F 499 --call-graph dwarf,16384 -o $WORK/lsp-perf.data --" \
      >"$WORK/lsp-perf.log" 2>&1; then
    perf report -i "$WORK/lsp-perf.data" --stdio --children --sort symbol -g none --percent-limit 1.5 2>/dev/null |
      grep -E '^ +[0-9]' | grep -E 'kstate::|main$|malloc|free|memmove|memcpy|vformat|nlohmann' | tidy |
      head -n 40 >"$WORK/lsp-perf-inclusive.txt" || true
  fi
else
  echo "perf is not installed" >"$PERF_TXT"
fi
CG_TXT="$WORK/callgrind.txt"
: >"$CG_TXT"
if [ "$QUICK" != 1 ] && command -v valgrind >/dev/null 2>&1; then
  valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" \
    "$KSTATEC" build "$WORK/n1000.kstate" >/dev/null 2>"$WORK/callgrind.err" || true
  callgrind_annotate --inclusive=yes "$WORK/callgrind.out" 2>/dev/null >"$WORK/callgrind-inclusive.txt" || true
  callgrind_annotate "$WORK/callgrind.out" 2>/dev/null >"$WORK/callgrind-self.txt" || true
  # Instructions executed: unlike times, the same on a loaded machine and
  # an idle one. The build of 10,000 components and of 10,000 template
  # instances, beside the grammar alone over the first input.
  count() {  # count NAME COMMAND...: writes NAME's instruction count to $WORK/instructions.txt
    local name="$1"
    shift
    if "${PIN[@]}" valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind-$name.out" "$@" \
        >/dev/null 2>"$WORK/callgrind-$name.err"; then
      echo "$name $(sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$WORK/callgrind-$name.err" | tr -d ,)" \
        >>"$WORK/instructions.txt"
    fi
  }
  : >"$WORK/instructions.txt"
  count build "$KSTATEC" build "$WORK/n10000.kstate"
  count templates "$KSTATEC" build "$WORK/t10000.kstate"
  count grammar "$BENCH" --recognise "$WORK/n10000.kstate"
fi

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "== report"
export REPO WORK RESULTS CPU LOAD_BEFORE LOAD_AFTER MEM_N1 MEM_N10000 MEM_CAT MEM_N10000_JSON
python3 "$REPO/bench/report.py"
