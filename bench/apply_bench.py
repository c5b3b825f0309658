#!/usr/bin/env python3
"""`kstatec apply` against `kubectl apply --server-side`: 100 MariaDB-sized
components (380 objects) applied to the fake API server (tests/apiserver),
both without waiting for rollouts (the fixture's controllers paused), in
alternating rounds of the same run.
The figure is the ratio of medians; the goal is kstatec at least 3x faster.

  bench/apply_bench.py --kstatec PATH [--components 100] [--rounds 7] [--json OUT]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd):
    start = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if p.returncode != 0:
        raise SystemExit("failed: %s\n%s%s" % (" ".join(cmd), p.stdout[-2000:], p.stderr[-2000:]))
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--kubectl", default=shutil.which("kubectl"))
    ap.add_argument("--components", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not args.kubectl:
        raise SystemExit("kubectl is not on PATH")
    sys.path.insert(0, os.path.join(REPO, "tests", "apiserver"))
    from apiserver import start_server  # noqa: E402
    import support  # noqa: E402

    work = tempfile.mkdtemp(prefix="kstate-apply-bench-")
    source = os.path.join(work, "system.kstate")
    subprocess.run([sys.executable, os.path.join(REPO, "bench", "gen_components.py"), str(args.components), source],
                   check=True)
    yaml_path = os.path.join(work, "system.yaml")
    with open(yaml_path, "w") as out:
        subprocess.run([args.kstatec, "build", source], stdout=out, check=True)
    with open(yaml_path) as f:
        objects = sum(1 for line in f if line.startswith("kind:"))
    server = start_server()
    # The simulated controllers would spend the (single-threaded Python)
    # server's time on 100 rollouts; the benchmark measures the clients.
    server.script({"action": "pause"})
    try:
        support.Client(server).post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                           "metadata": {"name": "bench"}})
        common = ["--kubeconfig", server.kubeconfig, "--context", "admin-cert"]
        kstatec = [args.kstatec, "apply", source, "--no-wait", "-o", "lines", *common]
        kubectl = [args.kubectl, "apply", "--server-side", "--field-manager=kstatec", "-f", yaml_path, *common]
        first_kstatec = timed(kstatec)  # creates everything
        first_kubectl = timed(kubectl)
        times = {"kstatec": [], "kubectl": []}
        for _ in range(args.rounds):
            times["kstatec"].append(timed(kstatec))
            times["kubectl"].append(timed(kubectl))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["kubectl"] / med["kstatec"]
    result = {"components": args.components, "objects": objects, "rounds": args.rounds,
              "first_apply_s": {"kstatec": first_kstatec, "kubectl": first_kubectl},
              "median_s": med, "min_s": {k: min(v) for k, v in times.items()},
              "max_s": {k: max(v) for k, v in times.items()}, "kubectl_over_kstatec": ratio, "goal": 3.0,
              "met": ratio >= 3.0, "load": os.getloadavg()}
    print("%d components, %d objects, %d rounds (re-applies after a first create)" % (args.components, objects,
                                                                                     args.rounds))
    print("first apply (creates): kstatec %.3f s, kubectl %.3f s" % (first_kstatec, first_kubectl))
    for k in ("kstatec", "kubectl"):
        print("%-8s median %.3f s  min %.3f s  max %.3f s" % (k, med[k], min(times[k]), max(times[k])))
    print("kubectl / kstatec: %.2fx (goal >= 3x): %s" % (ratio, "met" if ratio >= 3 else "missed"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
