#!/usr/bin/env python3
"""Writes bench/results.md from the raw data bench/run.sh collected.

Reads the environment run.sh exports (REPO, WORK, RESULTS, CPU, LOAD_BEFORE,
LOAD_AFTER, MEM_*) and the files in WORK: gbench.json (Google Benchmark),
hf1.json and hf10000.json (hyperfine), lsp.json (bench/lsp_bench.py),
perf.txt / perf-dso.txt / lsp-perf-inclusive.txt and callgrind-*.txt
(profiles), instructions.txt (callgrind instruction counts).
"""
import datetime
import json
import os
import re
import subprocess

env = os.environ
work, results, repo = env["WORK"], env["RESULTS"], env["REPO"]


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def path(name):
    return os.path.join(work, name)


def size(name):
    return os.path.getsize(path(name))


def read(name):
    return open(path(name), errors="replace").read().strip("\n") if os.path.exists(path(name)) else ""


# ---- Google Benchmark: the median row of each benchmark (or the only row)
g = json.load(open(path("gbench.json")))
rows = {}
for b in g["benchmarks"]:
    if b.get("aggregate_name") not in (None, "median"):
        continue
    rows[b.get("run_name", b["name"])] = b


def ms(b, key="real_time"):
    return b[key] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]


# ---- hyperfine
def pick(results_list, program):
    for r in results_list:
        if os.path.basename(r["command"].split()[0]) == program:
            return r
    raise SystemExit(f"report.py: no `{program}` run in the hyperfine results")


hf1 = json.load(open(path("hf1.json")))["results"]
hf2 = json.load(open(path("hf10000.json")))["results"]
k1, cat1, true1 = pick(hf1, "kstatec"), pick(hf1, "cat"), pick(hf1, "true")
k2, cat2, true2 = pick(hf2, "kstatec"), pick(hf2, "cat"), pick(hf2, "true")

mem = {k: int(env[v]) / 1024.0 for k, v in
       {"n1": "MEM_N1", "n10000": "MEM_N10000", "cat": "MEM_CAT", "n10000json": "MEM_N10000_JSON"}.items()}

b10k = rows.get("BM_CompileYaml/components:10000")
in_ms = ms(b10k) if b10k else float("nan")
t10k = rows.get("BM_CompileYamlTemplates/components:10000")
tin_ms = ms(t10k) if t10k else float("nan")
hft = json.load(open(path("hft10000.json")))["results"]
kt, catt, truet = pick(hft, "kstatec"), pick(hft, "cat"), pick(hft, "true")
one_ms = k1["mean"] * 1e3


def status(value, goal):
    return "met" if value <= goal else "**missed**"


# ---- kstatec apply against kubectl (bench/apply_bench.py), when kubectl was there
apply = json.load(open(path("apply.json"))) if os.path.exists(path("apply.json")) else None

# ---- the language server (bench/lsp_bench.py), when run.sh ran it
lsp = json.load(open(path("lsp.json"))) if os.path.exists(path("lsp.json")) else None


cpu_model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")
commit = sh(f"git -C '{repo}' rev-parse --short HEAD")
dirty = sh(f"git -C '{repo}' status --porcelain -- compiler")

out = []
w = out.append
w("# kstatec benchmark results")
w("")
w(f"Written by `bench/run.sh` on {datetime.datetime.now():%Y-%m-%d %H:%M} from commit `{commit}`"
  f"{' plus uncommitted changes under compiler/' if dirty else ''}. Release build (`-O3 -DNDEBUG`), "
  f"{sh('c++ --version | head -n1')}; {cpu_model}, {os.cpu_count()} cores; "
  f"pinned to core {env.get('CPU') or 'none'}.")
w("")
w(f"Load average before the run: {env['LOAD_BEFORE']}; after: {env['LOAD_AFTER']}. On a shared machine "
  "load inflates every time below; the ratios against baselines measured in the same run are the "
  "steadier figures.")
w("")
w(f"Input: `bench/gen_components.py N` MariaDB-sized components in one file. N=1 is {size('n1.kstate'):,} "
  f"bytes; N=10000 is {size('n10000.kstate') / 1e6:.1f} MB of source giving {size('n10000.yaml') / 1e6:.1f} MB "
  f"of YAML ({sum(1 for line in open(path('n10000.yaml')) if line.startswith('kind: ')):,} objects).")
w("")
w("## Goals")
w("")
w("| Goal | Target | Measured | Measured / target | |")
w("|---|---|---|---|---|")
w(f"| 10,000 components to YAML, in-process, one core | 50 ms | {in_ms:.1f} ms | {in_ms / 50:.2f}x | "
  f"{status(in_ms, 50)} |")
w(f"| 10,000 template instances with computed peer lists to YAML, in-process, one core | 80 ms | "
  f"{tin_ms:.1f} ms | {tin_ms / 80:.2f}x | {status(tin_ms, 80)} |")
w(f"| Peak memory of `kstatec build`, 10,000 components | 150 MB | {mem['n10000']:.1f} MB | "
  f"{mem['n10000'] / 150:.2f}x | {status(mem['n10000'], 150)} |")
w(f"| One-component `kstatec build`, process start included | 3 ms | {one_ms:.2f} ms | {one_ms / 3:.2f}x | "
  f"{status(one_ms, 3)} |")
if lsp:
    lat, goal = lsp["latency_ms"], lsp["goal"]
    w(f"| Language server: diagnostics after a single-character edit, {lsp['file']['lines']:,}-line file, one core "
      f"| median {goal['median_ms']:.0f} ms / p99 {goal['p99_ms']:.0f} ms "
      f"| median {lat['median']:.1f} ms / p99 {lat['p99']:.1f} ms "
      f"| {lat['median'] / goal['median_ms']:.2f}x / {lat['p99'] / goal['p99_ms']:.2f}x "
      f"| {'met' if goal['met'] else '**missed**'} |")
if apply:
    w(f"| `kstatec apply` against `kubectl apply --server-side`, {apply['components']} components "
      f"({apply['objects']} objects), re-applied | kubectl / kstatec >= {apply['goal']:.0f}x "
      f"| {apply['kubectl_over_kstatec']:.2f}x | {apply['goal'] / apply['kubectl_over_kstatec']:.2f}x "
      f"| {'met' if apply['met'] else '**missed**'} |")
fg, fo = rows.get("BM_FloorGrammar/components:10000"), rows.get("BM_FloorOutput/components:10000")
if fg and fo:
    floor = ms(fg) + ms(fo)
    w("")
    w("### What the 50 ms budget leaves")
    w("")
    w("Two baselines measured in the same run, on the same 10,000 components: the grammar alone recognising the "
      "input (PEGTL, no actions: no tree, no checking, no output), and copying the finished YAML into a new string "
      "(producing as many bytes as the build writes, in fresh memory as `Yaml()` does).")
    w("")
    w("| Step | Time | Share of the 50 ms goal |")
    w("|---|---|---|")
    w(f"| Grammar alone (BM_FloorGrammar) | {ms(fg):.1f} ms | {ms(fg) / 50:.0%} |")
    w(f"| Copying {fo.get('output_bytes', 0) / 1e6:.1f} MB of output (BM_FloorOutput) | {ms(fo):.1f} ms | "
      f"{ms(fo) / 50:.0%} |")
    w(f"| Both | {floor:.1f} ms | {floor / 50:.0%} |")
    w(f"| The whole build (BM_CompileYaml) | {in_ms:.1f} ms | {in_ms / 50:.0%} ({in_ms / floor:.1f}x both baselines) |")
    w("")
    w(f"With the grammar fixed to PEGTL, the two baselines alone take {floor / 50:.0%} of the budget, before a "
      "syntax tree is built, a value checked, an object lowered or a line of YAML formatted.")

# ---- instruction counts (callgrind, when valgrind is installed)
counts = {}
for line in read("instructions.txt").splitlines():
    name, _, value = line.partition(" ")
    if value.strip().isdigit():
        counts[name] = int(value)
if {"build", "templates", "grammar"} <= counts.keys():
    grammar = counts["grammar"]
    w("")
    w("### Instructions (callgrind)")
    w("")
    w("Instructions executed by whole processes, counted by callgrind: unlike times, the same on a loaded machine "
      "and an idle one. The grammar alone is `kstate_bench --recognise` over the 10,000-component input (the "
      "deterministic twin of BM_FloorGrammar).")
    w("")
    w("| Process | Instructions | Per component | / grammar alone |")
    w("|---|---|---|---|")
    for label, key in [("`kstatec build`, N=10000", "build"),
                       ("`kstatec build`, 10000 template instances", "templates"),
                       ("Grammar alone, N=10000", "grammar")]:
        w(f"| {label} | {counts[key] / 1e6:,.0f} M | {counts[key] / 10000:,.0f} | {counts[key] / grammar:.2f}x |")
    if b10k:
        rate = counts["build"] / in_ms  # instructions per millisecond, in-process build of this run
        w("")
        w(f"At the rate of this run's in-process build ({rate / 1e6:.1f} M instructions per ms, BM_CompileYaml), "
          f"the 50 ms goal is {50 * rate / 1e6:,.0f} M instructions, {50 * rate / 10000:,.0f} per component. "
          f"The grammar alone executes {grammar / (50 * rate):.0%} of that.")
w("")
w("## Whole process (hyperfine `-N`, output to /dev/null)")
w("")
w("| Command | Mean | σ | Min | Mean / `true` | Mean / `cat` of the same input |")
w("|---|---|---|---|---|---|")
for label, r, t, c in [("`kstatec build`, N=1", k1, true1, cat1), ("`cat`, N=1 input", cat1, true1, cat1),
                       ("`true`", true1, true1, cat1), ("`kstatec build`, N=10000", k2, true2, cat2),
                       ("`cat`, N=10000 input", cat2, true2, cat2),
                       ("`kstatec build`, 10000 template instances", kt, truet, catt),
                       ("`cat`, template-instance input", catt, truet, catt)]:
    w(f"| {label} | {r['mean'] * 1e3:.2f} ms | {r['stddev'] * 1e3:.2f} ms | {r['min'] * 1e3:.2f} ms | "
      f"{r['mean'] / t['mean']:.1f}x | {r['mean'] / c['mean']:.1f}x |")
w("")
w(f"Starting a process (`true`) costs {true1['mean'] * 1e3:.2f} ms here; the one-component build spends "
  f"{max(k1['mean'] - true1['mean'], 0) * 1e3:.2f} ms beyond that. N=10000 as a process takes "
  f"{k2['mean'] * 1e3:.0f} ms on average and {k2['min'] * 1e3:.0f} ms at best, in-process `FromSources` + "
  f"`Yaml()` {in_ms:.0f} ms (median): process start, reading the file, writing "
  f"{size('n10000.yaml') / 1e6:.0f} MB to /dev/null and freeing the compilation account for the difference "
  f"({k2['min'] * 1e3 - in_ms:+.0f} ms against the best run; the mean carries the machine's load, "
  f"σ {k2['stddev'] * 1e3:.0f} ms).")
w("")
w("## Peak memory (/usr/bin/time -v, maximum resident set size, median of 3)")
w("")
w("| Command | Peak RSS |")
w("|---|---|")
w(f"| `kstatec build`, N=1 | {mem['n1']:.1f} MB |")
w(f"| `kstatec build`, N=10000 (YAML) | {mem['n10000']:.1f} MB |")
w(f"| `kstatec build --format json`, N=10000 | {mem['n10000json']:.1f} MB |")
w(f"| `cat` of the N=10000 input | {mem['cat']:.1f} MB |")
w("")
w(f"About {(mem['n10000'] - mem['n1']) * 1024 / 10000:.1f} kB per component, for "
  f"{size('n10000.kstate') / 10000:.0f} bytes of source and {size('n10000.yaml') / 10000:.0f} bytes of YAML each.")
w("")
w("## In-process (Google Benchmark, median of the repetitions, pinned to one core)")
w("")
w("| Benchmark | N | Real time | CPU time | Components/s | Bytes | Throughput |")
w("|---|---|---|---|---|---|---|")
for name, b in rows.items():
    base, _, n = name.partition("/components:")
    if base in ("BM_Compile", "BM_FloorGrammar"):
        nbytes, what = b.get("input_bytes", 0), "in"
    else:
        nbytes, what = b.get("output_bytes", 0), "out"
    w(f"| {base} | {n} | {ms(b):.3f} ms | {ms(b, 'cpu_time'):.3f} ms | {b.get('items_per_second', 0):,.0f} | "
      f"{nbytes / 1e6:.3f} MB {what} | {b.get('bytes_per_second', 0) / 1e6:.0f} MB/s |")
w("")
w("BM_CompileYaml is `FromSources` + `Yaml()`; BM_Compile is `FromSources` alone (parse and check; "
  "lowering is not included); BM_Yaml and BM_Json are `Yaml()` and `Json()` on a finished compilation, "
  "lowering included (they lower each component as they write it). "
  "BM_FloorGrammar and BM_FloorOutput are the baselines of the next section. "
  "Throughput counts output bytes, except for BM_Compile and BM_FloorGrammar (input bytes).")
w("")
if lsp:
    f, lat, base = lsp["file"], lsp["latency_ms"], lsp["baseline_check_ms"]
    w("## Language server (bench/lsp_bench.py)")
    w("")
    server_core = lsp["server_cpu"] if lsp["server_cpu"] is not None else "any"
    client_cores = ", ".join(map(str, lsp["client_cpus"]))
    w(f"`kstatec lsp` on core {server_core} (the client on {client_cores}), `diagnosticsDelay` "
      f"{lsp['diagnostics_delay_ms']} ms, one {f['lines']:,}-line file ({f['bytes'] / 1e3:.0f} kB, {f['components']} components: plain, local template instances, standard-library "
      f"instances; `{f['generator']}`). {lsp['edits']:,} single-character incremental `didChange`s, one at a time; "
      "each is timed from just before it is written to the moment the `publishDiagnostics` of its version is read, "
      "and every publish is checked (its version; no diagnostics for a clean text, the unknown-field error for a "
      f"broken name). Load during the run: {' '.join(lsp['load_before'])} before, {' '.join(lsp['load_after'])} after.")
    w("")
    w("| Measure | n | Median | p90 | p99 | Max | Median / `kstatec check` median |")
    w("|---|---|---|---|---|---|---|")
    kinds = {"string": "typing or deleting a character in a string", "number": "`8Gi` -> `18Gi` and back",
             "field-broken": "deleting a character of a field name (an error)",
             "field-fixed": "typing it back (the error goes)"}

    def lsp_row(label, st):
        w(f"| {label} | {st['n']} | {st['median']:.2f} ms | {st['p90']:.2f} ms | {st['p99']:.2f} ms | "
          f"{st['max']:.2f} ms | {st['median'] / base['median']:.2f}x |")

    lsp_row("**Edit to diagnostics, all edits**", lat)
    for kind, st in lsp["by_kind"].items():
        lsp_row(f"&nbsp;&nbsp;{kinds.get(kind, kind)}", st)
    for region, st in lsp["by_region"].items():
        lsp_row(f"&nbsp;&nbsp;edits in the {region} of the file", st)
    lsp_row("`kstatec check` of the same file, whole process, same core (baseline)", base)
    lsp_row("Round trip of a request the server rejects at once (transport alone)", lsp["roundtrip_ms"])
    w("")
    cpu_edit = lsp["server_cpu_ms_per_edit"]
    w(f"`didOpen` to its diagnostics: {lsp['open_ms']:.1f} ms. CPU time of the server per edit (from /proc): "
      f"{cpu_edit:.1f} ms, of a `kstatec check` process {lsp['baseline_check_cpu_ms']:.1f} ms; a median latency "
      "above the CPU time per edit is time spent waiting for the core on a loaded machine.")
    w("")
if apply:
    med, first = apply["median_s"], apply["first_apply_s"]
    w("## Apply (bench/apply_bench.py)")
    w("")
    w(f"{apply['components']} MariaDB-sized components ({apply['objects']} objects) applied to the fake API server "
      "(tests/apiserver, its controllers paused, so nothing waits for rollouts), `kstatec apply --no-wait` against "
      f"`kubectl apply --server-side`, in alternating rounds ({apply['rounds']}) of the same run. A re-apply includes "
      "kstatec's plan (a GET and a dry-run apply per StatefulSet, one claim LIST per namespace) and its ApplySet "
      "parent.")
    w("")
    w("| | kstatec | kubectl | kubectl / kstatec |")
    w("|---|---|---|---|")
    w(f"| first apply (creates) | {first['kstatec']:.2f} s | {first['kubectl']:.2f} s "
      f"| {first['kubectl'] / first['kstatec']:.1f}x |")
    w(f"| re-apply, median | {med['kstatec']:.2f} s | {med['kubectl']:.2f} s "
      f"| {med['kubectl'] / med['kstatec']:.1f}x |")
    w("")
w("## Hot spots")
w("")
w("### perf: `kstatec build`, N=10000, self time over the whole process")
w("")
w("```")
w(read("perf.txt") or "(no profile)")
w("```")
if read("perf-inclusive.txt"):
    w("")
    w("Inclusive (children included; `perf --call-graph dwarf`), kstate functions and the allocator. "
      "Samples whose stack could not be unwound count for no caller, so these under-count; the callgrind "
      "figures below are exact per phase:")
    w("")
    w("```")
    w("Children     Self  Symbol")
    w(read("perf-inclusive.txt"))
    w("```")
if read("perf-dso.txt"):
    w("")
    w("By shared object:")
    w("")
    w("```")
    w(read("perf-dso.txt"))
    w("```")


def callgrind_top(name, n):
    lines, started = [], False
    for line in read(name).splitlines():
        if "file:function" in line:
            started = True
            continue
        if started and re.match(r"^\s*[0-9,]+ ", line):
            line = re.sub(r"\s*\[[^\]]*\]$", "", line.rstrip())
            line = re.sub(r"(\?\?\?|\S*/\S*):", "", line, count=1)  # no file names
            lines.append(line[:170])
            if len(lines) >= n:
                break
    return "\n".join(lines)


if read("lsp-perf-inclusive.txt"):
    w("")
    w("### perf: `kstatec lsp` during 200 edits, inclusive (children included)")
    w("")
    w("```")
    w("Children     Self  Symbol")
    w(read("lsp-perf-inclusive.txt"))
    w("```")


if read("callgrind-inclusive.txt"):
    w("")
    w("### callgrind: `kstatec build`, N=1000, instructions (inclusive, then self)")
    w("")
    w("```")
    w(callgrind_top("callgrind-inclusive.txt", 30))
    w("```")
    w("")
    w("```")
    w(callgrind_top("callgrind-self.txt", 25))
    w("```")
w("")
w(f"Raw data: `{os.path.relpath(work, repo)}/` (gbench.json, hf1.json, hf10000.json, lsp.json, perf.data, lsp-perf.data, "
  "callgrind.out).")

with open(results, "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print("\n".join(out))
