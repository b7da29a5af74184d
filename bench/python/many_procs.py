#!/usr/bin/env python3
"""many_procs.py -- CPython's side of the "many processes" figure.

Starts 200 processes with an empty target and joins them, written as a user
would (start every one, then join every one), with the 'fork' and the 'spawn'
start methods; wall time in seconds, 3 repetitions after 2 warm-up processes.
bench_mp.py has no such figure; multiprocessing4j's bench measures the same
in its section "many".  Standard library only.

Usage:
    python3 many_procs.py [--quick] [--json FILE]

Prints the figures as JSON on stdout (or writes them to FILE), in the shape of
bench_mp.py's --json output: {"cfg": ..., "results": [{section, what, method,
n, unit, values, median, min, max}, ...]}.  Progress goes to stderr.
"""
import json
import multiprocessing as mp
import os
import statistics
import sys
import time

SECTION = "many"
PROCESSES = 200
WARM_UPS = 2


def _empty():
    pass


def figure_name(count):
    """Shared with the Java bench (ManyProcessesSection): the table matches by name."""
    return f"{count} processes started and joined (start all, then join all)"


def start_and_join(ctx, count):
    procs = [ctx.Process(target=_empty) for _ in range(count)]
    t0 = time.perf_counter_ns()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    seconds = (time.perf_counter_ns() - t0) / 1e9
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} children failed, exit codes {failed[:5]}")
    return seconds


def cpu_snapshot():
    """(wall s, machine busy CPU-s, own CPU-s incl. reaped children), as bench_mp.py."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
    t = os.times()
    return time.monotonic(), busy, t.user + t.system + t.children_user + t.children_system


def foreign_cpus(a, b):
    wall = b[0] - a[0]
    return max(0.0, ((b[1] - a[1]) - (b[2] - a[2])) / wall) if wall > 0 else 0.0


def wait_quiet(max_s, threshold=0.25):
    """Wait (at most max_s) until other processes use < threshold CPUs over 1 s."""
    t0 = time.monotonic()
    while True:
        a = cpu_snapshot()
        time.sleep(1.0)
        load = foreign_cpus(a, cpu_snapshot())
        if load < threshold or time.monotonic() - t0 >= max_s:
            return time.monotonic() - t0, load


def main(argv):
    quick = "--quick" in argv
    json_path = argv[argv.index("--json") + 1] if "--json" in argv else None
    reps = 1 if quick else 3
    results, foreign = [], {}
    for method in ("fork", "spawn"):
        if not quick:
            waited, load = wait_quiet(20)
            print(f"[{SECTION} {method}] waited {waited:.0f} s for a quiet machine, "
                  f"foreign load {load:.2f}", file=sys.stderr, flush=True)
        ctx = mp.get_context(method)
        start_and_join(ctx, WARM_UPS)
        c0 = cpu_snapshot()
        values = [start_and_join(ctx, PROCESSES) for _ in range(reps)]
        foreign[method] = foreign_cpus(c0, cpu_snapshot())
        results.append(dict(section=SECTION, what=figure_name(PROCESSES), method=method,
                            n=PROCESSES, unit="s", values=values,
                            median=statistics.median(values), min=min(values),
                            max=max(values)))
        print(f"  .. {SECTION:6s} {figure_name(PROCESSES):58s} {method:5s} "
              f"median={results[-1]['median']:.3g} s (reps {reps})", file=sys.stderr, flush=True)
    write_json(dict(cfg=dict(processes=PROCESSES, reps=reps, warm_ups=WARM_UPS),
                    foreign_cpus=foreign, results=results), json_path)


def write_json(run, json_path):
    """A run's figures as JSON, to json_path, or to stdout when None (user_patterns.py too)."""
    out = json.dumps(run, indent=1)
    if json_path:
        with open(json_path, "w") as f:
            f.write(out + "\n")
    else:
        print(out)


if __name__ == "__main__":
    main(sys.argv[1:])
