#!/usr/bin/env python3
"""side_by_side.py -- one Markdown table: CPython's multiprocessing next to multiprocessing4j.

Usage:
    python3 side_by_side.py --cpython bench_mp.json [--cpython many_procs.json ...] \
                            [--python-cluster bench_cluster.json] --ours mp4j.json \
                            [--charts DIR [--chart-note TEXT]] \
                            [--save-ratios FILE] [--baseline FILE]

Reads the JSON files written by bench_mp.py --json, many_procs.py and the Java
bench (BenchMain --json), all of the same shape, and prints one row per figure
of ours: CPython fork, CPython spawn, multiprocessing4j (medians), how ours
compares with CPython's better start method, and its design target (see
docs/ARCHITECTURE.md) with a verdict.  Standard library only.

Section "limits" (this machine's costs: a JVM's boot beside CPython's fork and
python3 -c pass, fresh vs hot shared memory) has rows of its own, and more: a last
column, "the limit on this machine", shows beside each row it bounds what follows
from them (limit_for: N new JVMs take at least N x boot CPU / processors, the
pool's first call cannot end before a worker has booted, an unbounded queue's
backlog lives in fresh memory), and says when the row's target is beyond it.

The section "scale" (user_patterns.py's CPython side) gets a table of its own: each
cell (producers x consumers x item size, pool workers) beside CPython fork's, and
beside the 4 KiB and larger items the machine's memory bandwidth the Java bench
measured, the limit a queue can approach, and fresh shared memory (section limits).  With --charts DIR the same figures are
drawn as SVG bar charts (svg_charts.py): headline.svg (every figure with a target,
and the "loop" and "pool-calls" rows), scale-queue.svg and scale-pool.svg.

The section "cluster" (the library on a Redis server) gets a table of its own:
each of our figures beside the figure of bench_cluster.py (CPython's managers,
redis-py, RQ, Celery, Dask) it is compared with, the ratio and the target of
issue 10.  Its rows are CLUSTER_ROWS; a figure the Java bench could not measure
(no redis-server, say) shows as "not measured (...)", with the reason it recorded,
and every figure of bench_cluster.py no row names comes last, so that nothing
measured is left out.

A run is compared with an earlier one by its ratios: --save-ratios FILE writes, for every
row and scaling cell where both sides were measured, how many times better ours is than
CPython's best (and both medians); --baseline FILE reads such a file and lists the rows whose
ratio moved by MOVED_FACTOR or more since, worse first. Ratios, not times: the machine's speed
moves from hour to hour, and CPython's figures of the same run move with it (only partly: a
row that boots JVMs suffers more from a slow hour than CPython's spawn does). bench/run keeps the
baseline in bench/baseline-ratios.json, the run whose figures the READMEs show.

Adding figures: list them in ROWS, under the name CPython's script gives them,
with the unit when the script records one name in two units (tput: msg/s and
MB/s), and "{n}" where the name holds a size that --quick changes ("median of
{n}"). A figure of ours that ROWS does not list still gets a row (at the end,
without a target), so nothing measured is silently left out.
"""
import json
import re
import sys
from dataclasses import dataclass, replace

import bench_mp  # beside this script: CPython's reference benchmark, for its number format


# --------------------------------------------------------------------------
# Design targets (docs/ARCHITECTURE.md): how a figure of ours is judged.
# --------------------------------------------------------------------------

def higher_is_better(unit):
    """Rates (msg/s, MB/s, ops/s ...) are better high; times and sizes low."""
    return unit.endswith("/s")


def better_or_equal(unit, a, b):
    return a >= b if higher_is_better(unit) else a <= b


@dataclass(frozen=True)
class Target:
    """A design target; every criterion given must hold.

    limit:        ours at least as good as this value, in the figure's unit (the
                  absolute number the target states);
    as_good_as:   ours at least as good as CPython's figure for this start method
                  in this same run (by: that many times better);
    times_better: ours this many times better than CPython's best in this run.
    """
    text: str
    limit: float = None
    as_good_as: str = None
    times_better: float = None
    by: float = 1

    def verdict(self, ours, cpython, unit):
        checks = []
        if self.limit is not None:
            checks.append(better_or_equal(unit, ours, self.limit))
        if self.as_good_as is not None:
            theirs = cpython.get(self.as_good_as)
            checks.append(None if theirs is None else advantage(ours, theirs, unit) >= self.by)
        if self.times_better is not None:
            best = best_of(cpython, unit)
            checks.append(None if best is None else advantage(ours, best, unit) >= self.times_better)
        if not checks or None in checks:
            return None
        return all(checks)


NO_TARGET = Target("—")


# --------------------------------------------------------------------------
# The mapping: one row per figure of ours, in table order.
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    section: str
    cpython: str           # the figure's name in bench_mp.py / many_procs.py ("{n}": any number)
    ours: str = None       # our figure's name, when it differs
    method: str = "cold"   # our start method ("-": one figure for the parent)
    target: Target = NO_TARGET
    compared: bool = True  # False: a fact about the run, where "better" means nothing
    unit: str = None       # which unit, when the figure is recorded in several
    cpython_section: str = None  # CPython's section, when it is not ours ("pool-others": "pool")
    short: str = None      # the row's label in the charts, when the figure's name is too long

    @property
    def ours_name(self):
        return self.ours or self.cpython

    @property
    def theirs_section(self):
        return self.cpython_section or self.section


SIZE = "{n}"


def with_sizes(row, names):
    """The row once for each number that stands for "{n}" in the figure names given (the row
    itself when its names hold no "{n}", or when no figure matches)."""
    if SIZE not in row.cpython and SIZE not in row.ours_name:
        return [row]
    sizes = []
    for template in {row.cpython, row.ours_name}:
        pattern = re.compile(re.escape(template).replace(re.escape(SIZE), r"(\d+)") + "$")
        sizes += [m.group(1) for m in map(pattern.match, names) if m and m.group(1) not in sizes]
    return [replace(row, cpython=row.cpython.replace(SIZE, n), ours=row.ours and row.ours.replace(SIZE, n),
                    short=row.short and row.short.replace(SIZE, f"{int(n):,}")) for n in sizes] or [row]


def tput_rows():
    """A row per unit of each figure of bench_mp.py's sec_tput, built as it builds its labels."""
    small, big = ("int", "64 B bytes"), "4 KiB bytes"
    cases = [(api, f"{p}P->{p}C", pay)
             for api in ("Queue put/get", "SimpleQueue put/get")
             for p, pays in ((1, small + (big,)), (2, small)) for pay in pays]
    cases += [("Pipe send/recv", "1P->1C", pay) for pay in small + (big,)]
    cases += [("Pipe send_bytes/recv_bytes", "1P->1C", pay) for pay in ("8 B bytes", "64 B bytes", big)]
    targets = {
        ("Queue put/get, 1P->1C, int", "msg/s"):
            Target("≥ 20x CPython (small items; 204k msg/s in the design's reference run)", times_better=20),
        ("Queue put/get, 1P->1C, 64 B bytes", "msg/s"): Target("≥ 20x CPython (small items)", times_better=20),
        ("Queue put/get, 2P->2C, int", "msg/s"):
            Target("≥ 10x CPython (245k msg/s in the design's reference run)", times_better=10),
        ("Queue put/get, 2P->2C, 64 B bytes", "msg/s"): Target("≥ 10x CPython", times_better=10),
        ("Queue put/get, 1P->1C, 4 KiB bytes", "MB/s"):
            Target("≥ 4x CPython (618 MB/s in the design's reference run)", times_better=4),
        ("Pipe send_bytes/recv_bytes, 1P->1C, 4 KiB bytes", "MB/s"): Target("≥ 4x CPython", times_better=4),
    }
    rows = []
    for api, procs, pay in cases:
        name = f"{api}, {procs}, {pay}"
        rows += [Row("tput", name, unit=unit, target=targets.get((name, unit), NO_TARGET)) for unit in ("msg/s", "MB/s")]
        if api == "Queue put/get" or api == "Pipe send_bytes/recv_bytes" and pay == big:
            rows += [Row("tput", name, ours=name + WARMED_UP, unit=unit) for unit in ("msg/s", "MB/s")]
        if api == "Queue put/get" and procs == "1P->1C" and pay in small:
            rows += [Row("tput", name, ours=name + FROM_SPARES, method="warm", unit=unit) for unit in ("msg/s", "MB/s")]
    return rows


# TputSection.WARMED_UP: our children first move the same items once, before the clock (no JIT warm-up left).
WARMED_UP = ", children warmed up (the same items moved once before the clock)"
# TputSection.FROM_SPARES: our children are spares the library prepared after children of the same kind.
FROM_SPARES = ", children from spares (the default start, spares prepared after children of the same kind)"


def rtt_rows():
    limits = {("Queue put/get (2 queues)", "median"): Target("≤ 4 us", limit=4),
              ("Queue put/get (2 queues)", "p99"): Target("≤ 20 us", limit=20)}
    return [Row("rtt", f"round trip {api}: {stat} of {SIZE}", target=limits.get((api, stat), NO_TARGET))
            for api in ("Queue put/get (2 queues)", "Pipe send/recv (duplex)")
            for stat in ("median", "p99", "max")]


FIRST_LINE = "start() call -> first line of target runs"


def start_rows():
    targets = {("start() call -> first line of target runs", "cold"):
                   Target("cold ≤ CPython spawn (59 ms in the design's reference run)", as_good_as="spawn"),
               ("start() call -> first line of target runs", "warm"):
                   Target("warm ≤ CPython fork (1.3 ms in the design's reference run)", as_good_as="fork")}
    figures = (FIRST_LINE, "duration of the start() call itself",
               "start()+join() of an empty target", EXIT, EXIT + ", mean")
    rows = []
    for method in ("cold", "warm"):
        rows += [Row("start", what, method=method, target=targets.get((what, method), NO_TARGET)) for what in figures]
        rows.append(Row("start", FIRST_LINE, ours=FIRST_LINE + NO_SHARED_OBJECT, method=method))
        rows.append(Row("start", FIRST_LINE + LARGE_TARGET, method=method))
    return rows + [Row("start", figures[0], method="bare")]


# StartSection.EXIT: a child's exit, its target's last line to join() returning (median; and mean).
EXIT = "a child's exit: its target's last line -> join() returns (an empty target's child)"
# StartSection.NO_SHARED_OBJECT: our target captures a file name only, where CPython's (and our
# first figure's) is given a pipe end.
NO_SHARED_OBJECT = ", the target capturing a file name, no shared object (it writes the time there)"
# StartSection.LARGE_TARGET (user_patterns.LARGE_TARGET_WHAT): a child given data to work on.
LARGE_TARGET = ", the target capturing a 64 MiB byte array too (Python: bytes, given as an argument)"


def pool_rows():
    """sec_pool's figures, each followed by PP4J's and out-process's on the same task."""
    lifecycle = "ProcessPool(2) create + map 4 items + close"
    submit_all = "ProcessPoolExecutor(2).submit(x*x) x N, then result() each"
    one_at_a_time = "ProcessPool(2).submit(x*x).get(), one task at a time"
    others = (("pp4j", "JavaProcessPoolExecutor(2)"), ("out-process", "2 x OutProcessExecutorService (1 JVM each)"))
    return [
        Row("pool", "Pool(2) create + map 4 items + close + join", ours=lifecycle, method="warm"),
        Row("pool", "Pool(2) create + map 4 items + close + join", ours=lifecycle),
        Row("pool", "ProcessPoolExecutor(2) create + map 4 items + shutdown", ours=lifecycle, method="warm"),
        Row("pool", "ProcessPoolExecutor(2) create + map 4 items + shutdown", ours=lifecycle),
        *[Row("pool-others", "ProcessPoolExecutor(2) create + map 4 items + shutdown",
              ours=f"{pool} create + 4 tasks + shutdown", method=lib, cpython_section="pool")
          for lib, pool in others],
        *with_first_call(Row("pool", f"Pool(2).map(x*x), default chunksize (= {SIZE})",
            ours=f"ProcessPool(2).map(x*x), default chunk size (= {SIZE})",
            target=Target("≥ 3x CPython (3-5.7M tasks/s in the design's reference run)", times_better=3))),
        *with_first_call(Row("pool", "Pool(2).map(x*x), chunksize=1", ours="ProcessPool(2).map(x*x), chunk size 1",
            target=Target("≥ 10x CPython (40k tasks/s in the design's reference run)", times_better=10))),
        *with_first_call(Row("pool", "Pool(2).imap(x*x), default chunksize (= 1), the results iterated and summed",
            ours="ProcessPool(2).imap(x*x), default chunk size (= 1), the results iterated and summed")),
        *with_first_call(Row("pool", submit_all, ours="ProcessPool(2).submit(x*x) x N, then get() each")),
        *with_first_call(Row("pool", submit_all, ours="ProcessPool(2).applyAsync(x*x) x N, then join() each")),
        *[Row("pool-others", submit_all, ours=f"{pool}.submit(x*x) x N, then get() each", method=lib,
              cpython_section="pool") for lib, pool in others],
        *with_first_call(Row("pool", one_at_a_time)),
        *[Row("pool-others", f"{pool}.submit(x*x).get(), one task at a time", method=lib) for lib, pool in others],
        *with_first_call(Row("pool", "ProcessPoolExecutor(2).map(x*x, chunksize=1000)",
            ours="ProcessPool(2).map(x*x, chunk size 1000)")),
    ]


def with_first_call(row):
    """A pool throughput figure, then the first call of it (JIT compiling included), which
    PoolSection measures before the figure's repetitions: beside CPython's figure, without a target."""
    return [row, Row(row.section, row.cpython, ours=row.ours_name + ", first call")]


LOOP = ("start in a loop (a new program): queue, start() a child that puts a time, get(), join();"
        " start() -> value received, median of 9 rounds")
LOOP_MEAN = LOOP.replace("median of", "mean of")
FIRST_CHILD = "a program's first child (a new program, the loop's first round): start() -> value received"
FIRST_QUEUE = "a program's first shared object (a new program, the loop's first queue): its constructor"
LOOP_CPU = "start in a loop (a new program): CPU time a round, the program's and its reaped children's, rounds 2 to 9"
POOL_CALLS = "pool in a new program (default flags): "


def user_pattern_rows():
    """Sections "loop" and "pool-calls" (issue 11): the patterns a new user meets first, each
    repetition a program of its own (java -cp / python3), CPython's from user_patterns.py."""
    return [
        Row("loop", LOOP, method="loop-default",
            target=Target("≤ ½ of CPython spawn (stretch ≤ 10 ms)", as_good_as="spawn", by=2),
            short="start in a loop, start() -> value received: default start method, no waiting for spares"),
        Row("loop", LOOP, method="loop-cold", short="start in a loop: -Dmp4j.startMethod=cold"),
        Row("loop", LOOP, method="loop-warm", short="start in a loop: best case, waiting for booted spares"),
        Row("loop", LOOP, method="loop-ide", short="start in a loop: run as an IDE runs it (classes directory, library, 40 dependencies)"),
        Row("loop", LOOP_MEAN, method="loop-default", short="start in a loop, mean of the rounds: default start method"),
        Row("loop", LOOP_MEAN, method="loop-cold", short="start in a loop, mean of the rounds: -Dmp4j.startMethod=cold"),
        Row("loop", LOOP_MEAN, method="loop-warm", short="start in a loop, mean of the rounds: best case"),
        Row("loop", LOOP_MEAN, method="loop-ide", short="start in a loop, mean of the rounds: run as an IDE runs it"),
        Row("loop", FIRST_CHILD, method="loop-default", short="a program's first child: start() -> value received"),
        Row("loop", FIRST_CHILD, method="loop-cold", short="a program's first child: -Dmp4j.startMethod=cold"),
        Row("loop", FIRST_QUEUE, method="loop-default", short="a program's first shared object: the first queue's constructor"),
        Row("loop", LOOP_CPU, method="loop-default", short="start in a loop: CPU a round, the program's and its children's"),
        Row("loop", LOOP_CPU, method="loop-cold", short="start in a loop: CPU a round, -Dmp4j.startMethod=cold"),
        Row("loop", LOOP_CPU, method="loop-warm", short="start in a loop: CPU a round, best case"),
        Row("loop", LOOP_CPU, method="loop-ide", short="start in a loop: CPU a round, run as an IDE runs it"),
        Row("pool-calls", POOL_CALLS + "constructor of a pool of 2", method="program",
            short="pool in a new program: constructor of a pool of 2"),
        Row("pool-calls", POOL_CALLS + "first call, map(x*x) over 10000 ints", method="program",
            target=Target("≥ 1.5x CPython fork", times_better=1.5),
            short="pool in a new program: first call, map(x*x) over 10,000 ints"),
        Row("pool-calls", POOL_CALLS + f"second call, map(x*x) over {SIZE} ints, median of 3", method="program",
            target=Target("≥ 3x CPython fork", times_better=3),
            short=f"pool in a new program: second call, map(x*x) over {SIZE} ints"),
        Row("pool-calls", POOL_CALLS + "apply() of a task that computes 5 ms, median of 15: call -> result, "
            "beyond the task's own time", method="program",
            short="pool in a new program: apply() of a 5 ms task, time beyond the task's (median of 15)"),
        Row("pool-calls", POOL_CALLS + "apply() of a task that computes 5 ms, given its time (Java: a lambda capturing "
            "it, Python: an argument), median of 15: call -> result, beyond the task's own time", method="program",
            short="pool in a new program: apply() of a 5 ms task given its time (a capturing lambda), median of 15"),
        Row("pool-calls", POOL_CALLS + "apply() of a function that computes 5 ms, its time the argument (apply(fn, "
            "argument), Python: apply(func, args)), median of 15: call -> result, beyond the task's own time",
            method="program", short="pool in a new program: apply(fn, argument) of a 5 ms function, median of 15"),
        Row("pool-calls", POOL_CALLS + "apply(x*x) after the pool idled 1000 ms: call -> result", method="program",
            short="pool in a new program: one apply(x*x) after the pool idled a second"),
        Row("pool-calls", POOL_CALLS + "apply(x*x) after the pool idled 100 ms, median of 20 (a pool given a task "
            "every so often): call -> result", method="program",
            short="pool in a new program: apply(x*x) every 100 ms (median of 20)"),
        Row("pool-calls", POOL_CALLS + "close() and join() after the calls", method="program",
            short="pool in a new program: close() (CPython: close() and join())"),
        *[Row("pool-calls", "queue in a new program: a child's get() of an item put after the queue idled 1000 ms, "
              f"{which} time: put -> item", method="program",
              short=f"queue in a new program: a child's get() after the queue idled a second, {which} time")
          for which in ("first", "second")],
        Row("pool-calls", "queue in a new program: a child's get() of an item put after the queue idled 20 ms, "
            "median of 15: put -> item", method="program",
            short="queue in a new program: a child's get() after the queue idled 20 ms (median of 15)"),
        Row("pool-calls", "pools in a loop, in a new program: a pool of 2 made, map(x*x) over 1000 ints, close() and "
            "join(), median of 9 rounds", method="program",
            short="pools in a loop: a pool of 2 made, map(x*x) over 1,000 ints, closed (median of 9)"),
        Row("pool-calls", "queues in a loop, in a new program: a queue made, one int put and taken, close(), median of 200",
            method="program", short="queues in a loop: a queue made, one int put and taken, closed (median of 200)"),
        Row("pool-calls", "pipes in a loop, in a new program: a duplex pipe made, one int sent and received, both ends "
            "closed, median of 200", method="program",
            short="pipes in a loop: a duplex pipe made, one int sent and received, closed (median of 200)"),
    ]


LIMITS = "limits"
BARE_IDLE_RSS = "idle bare JVM VmRSS (the children's options, no library: the limit)"
BOOT_WALL = "a process that does nothing, started and reaped one after another: wall time to exit"
BOOT_CPU = "a process that does nothing, started and reaped one after another: CPU time (user+sys) per process"
FRESH = "fresh 1 MiB /dev/shm segments, used as a queue chunk (every step above), one after another"
HOT = "hot 1 MiB /dev/shm segment: 4 KiB puts through one mapping, 4 KiB gets through another"
PROCESSORS = "processors available to the JVM"
CROSS_CORE = ("two threads, one writing 4 KiB blocks into a 4 MiB array that the other keeps reading: "
              "the writer's rate, window by window")
# LimitsSection.BARE_RING: then "200000 ints", "200000 x 64 B bytes" or "50000 x 4 KiB bytes", and WARMED_UP when
# warmed up.
BARE_RING = ("two new JVMs (the children's options), one putting and one taking through a bare ring in /dev/shm, "
             "no library: ")


def limits_rows():
    """Section "limits": a new process's cost on each side (fork: os.fork() of a child that exits;
    spawn: python3 -c pass; ours: a bare JVM), then the Java bench's shared-memory figures, which
    fall in as rows not listed here (no target: they are facts of the machine)."""
    return [Row(LIMITS, what, method=method)
            for method in ("jvm-child-flags", "jvm-default-flags") for what in (BOOT_WALL, BOOT_CPU)]


ROWS = [
    *limits_rows(),
    *start_rows(),
    *user_pattern_rows(),
    Row("lock", "uncontended acquire()+release() pairs, multiprocessing.Lock",
        ours="uncontended acquire()+release() pairs, ProcessLock", method="-",
        target=Target("≥ 2x CPython (20M pairs/s in the design's reference run)", times_better=2)),
    Row("lock", "uncontended acquire()+release() pairs, multiprocessing.RLock",
        ours="uncontended acquire()+release() pairs, ProcessRLock", method="-",
        target=Target("≥ 2x CPython", times_better=2)),
    Row("lock", "uncontended acquire()+release() pairs, threading.Lock (baseline, not IPC)",
        ours="uncontended acquire()+release() pairs, ReentrantLock (baseline, not IPC)", method="-"),
    Row("lock", "2 procs: lock.acquire(); v.value += 1; lock.release()",
        ours="2 procs: lock.acquire(); v.set(v.get()+1); lock.release()",
        target=Target("≥ 2x CPython (3.5-5.3M ops/s in the design's reference run)", times_better=2)),
    Row("lock", "  same run: % of wall time both workers were running", compared=False),
    *tput_rows(),
    *rtt_rows(),
    Row("jq", f"JoinableQueue 2 producers x {SIZE} -> 2 daemon consumers (task_done), q.join(); end-to-end",
        target=Target("≥ 10x CPython (125k items/s in the design's reference run)", times_better=10)),
    Row("jq", "  same run: wall time incl. process start-up"),
    # JqSection.FROM_SPARES: our children are four prestarted spares, booted before the clock.
    Row("jq", f"JoinableQueue 2 producers x {SIZE} -> 2 daemon consumers (task_done), q.join(); end-to-end",
        ours=f"JoinableQueue 2 producers x {SIZE} -> 2 daemon consumers (task_done), q.join(); end-to-end"
             ", children from spares (the default start, 4 spares prestarted and prepared)", method="warm"),
    *pool_rows(),
    *[Row("mem", what, method=method, target=Target("≤ 25 MiB", limit=25) if what == "idle child VmRSS" else NO_TARGET)
      for method in ("cold", "warm")
      for what in ("idle child VmRSS", "idle child PSS (smaps_rollup)", "idle child USS = Private_Clean+Private_Dirty")],
    Row("mem", "parent process VmRSS at measurement time", method="-"),
    Row("mem", BARE_IDLE_RSS, method="-"),
    *[Row("many", "200 processes started and joined (start all, then join all)", method=method,
          target=Target("≤ 4 s", limit=4)) for method in ("cold", "warm")],
]

CPYTHON_METHODS = ("fork", "spawn")

# Our methods other than "cold" (a new JVM per child), as the table names them.
METHOD_NAMES = {
    "warm": "warm (a booted spare JVM)",
    "bare": "bare JVM for scale (ProcessBuilder, no library, a class-data archive of its own as a child has)",
    "program": "a new default-flags program (java -cp) per repetition",
    "loop-default": "the default start method, nothing waits for spares between rounds "
                    "(a new default-flags program, java -cp, per repetition)",
    "loop-cold": "-Dmp4j.startMethod=cold (a new program per repetition)",
    "loop-warm": "best case: before each round the spares have booted (a new program per repetition)",
    # the dependencies: LoopSection.DEPENDENCY_JARS jars of ENTRIES_PER_DEPENDENCY entries
    "loop-ide": "the default start method, run as an IDE or mvn exec:java runs it: the program's classes in a directory "
                "first on its class path, then the library's jar and 40 jars of dependencies (18,000 entries) "
                "(a new program per repetition, after one unmeasured first run)",
    "jvm-child-flags": "bare JVM with the library's child options (-XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
                       "-XX:-UsePerfData -Xmn16m) and a class-data archive of its own, as a child has",
    "jvm-default-flags": "bare JVM with default flags",
    "pp4j": "PP4J 2.2, not multiprocessing4j",
    "out-process": "out-process 1.2.7, not multiprocessing4j",
}

# The "methods" that name another Java library measured on the same task (section pool-others).
OTHER_LIBRARIES = ("pp4j", "out-process")


# --------------------------------------------------------------------------
# Comparison and formatting
# --------------------------------------------------------------------------

def best_of(cpython, unit):
    values = [v for v in cpython.values() if v is not None]
    if not values:
        return None
    return max(values) if higher_is_better(unit) else min(values)


def advantage(ours, theirs, unit):
    """How many times better ours is (>1) or worse (<1)."""
    if higher_is_better(unit):
        return ours / theirs if theirs else float("inf")
    return theirs / ours if ours else float("inf")


def describe_advantage(ours, theirs, unit):
    if ours is None or theirs is None:
        return "—"
    a = advantage(ours, theirs, unit)
    if higher_is_better(unit):
        words = ("higher", "lower")
    elif unit in ("MiB", "KiB", "MB", "B"):
        words = ("smaller", "larger")
    else:
        words = ("faster", "slower")
    return f"{a:.2g}× {words[0]}" if a >= 1 else f"{1 / a:.2g}× {words[1]}"


def fmt(x):
    """bench_mp.py's number format (3 significant digits or more), with a dash for no figure."""
    return "—" if x is None else bench_mp.fmt(x)


def mark(ok):
    return "" if ok is None else (" ✓" if ok else " ✗")


# --------------------------------------------------------------------------
# Section "cluster": ours on Redis beside bench_cluster.py's Python tools.
# --------------------------------------------------------------------------

CLUSTER = "cluster"


@dataclass(frozen=True)
class ClusterRow:
    """One of our figures of section "cluster" (its name in ClusterSection.java or
    RedisBaselines.java), the bench_cluster.py figure it is compared with (its key;
    None: nothing in Python measures it) and the target of issue 10."""
    ours: str
    python: str = None
    target: Target = NO_TARGET


RAW = "raw Jedis: "
POOL = "cluster pool (2 agents x 1 worker): "
QUEUE_TARGET = Target("≥ 100k items/s (batching)", limit=100_000)
ROUND_TRIP_TARGET = Target("≤ 0.5 ms", limit=500)
CHUNK_ONE_TARGET = Target("≥ 20k tasks/s", limit=20_000)

CLUSTER_ROWS = [
    ClusterRow(RAW + "LPUSH / BRPOP, one item per call, 1 -> 1 thread", "redis.lpush_brpop"),
    ClusterRow(RAW + "RPUSH 100 values per call / LPOP count 100 (BLPOP when empty)", "redis.rpush100_lpop100"),
    ClusterRow(RAW + "pipeline of 100 single RPUSH / LPOP count 100", "redis.pipeline100_lpop100"),
    ClusterRow(RAW + "reliable: LPUSH / BLMOVE to processing list + LREM ack", "redis.reliable"),
    ClusterRow(RAW + "round trip LPUSH -> echo thread (BRPOP+LPUSH) -> BRPOP, median", "redis.rtt.p50"),
    ClusterRow(RAW + "round trip LPUSH -> echo thread (BRPOP+LPUSH) -> BRPOP, p99", "redis.rtt.p99"),
    ClusterRow(RAW + "SET NX PX + compare-and-delete script (EVALSHA), uncontended pairs"),
    ClusterRow("SharedLong.incrementAndGet() on the cluster, 1 thread"),
    ClusterRow("SharedLong.incrementAndGet() on the cluster, 2 processes at once"),
    ClusterRow("cluster queue put/get, 1 producer -> 1 consumer process, int", "managers.tput", QUEUE_TARGET),
    ClusterRow("cluster queue put/get, 1 producer -> 1 consumer process, int", "redis.lpush_brpop", QUEUE_TARGET),
    ClusterRow("cluster joinable queue, 2 producers -> 2 consumer processes (taskDone), join(); end to end",
               "redis.reliable", Target("≥ 50k items/s", limit=50_000)),
    ClusterRow(POOL + "build() to the end of a first map of 1,000 ints (agents start the workers)"),
    ClusterRow(POOL + "submit(x*x).get(), first call", "celery.lat.p50"),
    ClusterRow(POOL + "submit(x*x).get(), one at a time, median", "celery.lat.p50", ROUND_TRIP_TARGET),
    ClusterRow(POOL + "submit(x*x).get(), one at a time, median", "rq.SimpleWorker.lat.p50", ROUND_TRIP_TARGET),
    ClusterRow(POOL + "submit(x*x).get(), one at a time, median", "dask.lat.p50", ROUND_TRIP_TARGET),
    ClusterRow(POOL + "map(x*x), chunk size 1, first call", "celery.tput"),
    ClusterRow(POOL + "map(x*x), chunk size 1", "celery.tput",
               Target("≥ 20k tasks/s and ≥ 20x Celery", limit=20_000, times_better=20)),
    ClusterRow(POOL + "map(x*x), chunk size 1", "rq.Worker.tput", CHUNK_ONE_TARGET),
    ClusterRow(POOL + "map(x*x), chunk size 1", "rq.SimpleWorker.tput", CHUNK_ONE_TARGET),
    ClusterRow(POOL + "map(x*x), chunk size 1", "dask.map", CHUNK_ONE_TARGET),
    ClusterRow(POOL + "map(x*x) of ints, default chunking, first call", "celery.chunks"),
    ClusterRow(POOL + "map(x*x) of ints, default chunking", "celery.chunks",
               Target("≥ 1M items/s and ≥ 10x Celery's chunks", limit=1_000_000, times_better=10)),
    ClusterRow(POOL + "map(x*x) of ints, default chunking", "dask.map", Target("≥ 1M items/s", limit=1_000_000)),
    ClusterRow("cluster lock acquire()+release() pairs, uncontended",
               target=Target("≥ 5k pairs/s (≤ 2 round trips)", limit=5_000)),
    ClusterRow("cluster lock: holder killed (kill -9) -> another process's acquire() returns",
               target=Target("≤ 2 s", limit=2)),
    ClusterRow("cluster pool: worker agent killed (kill -9) mid-task -> the task fails or re-runs",
               target=Target("≤ 2 s (Celery: the task is lost, or waits 3,600 s with acks_late)", limit=2)),
    ClusterRow("cluster pool with retries(1): worker agent killed (kill -9) mid-task -> its result from the other agent",
               target=Target("≤ 2 s", limit=2)),
]


def cluster_table_rows(python_runs, our_runs):
    """(our name, Python's label, Python's median, our median, unit, target, why not measured)"""
    theirs = {r["key"]: r for _, run in python_runs for r in run["results"]}
    ours = {r["what"]: r for _, run in our_runs for r in run["results"] if r["section"] == CLUSTER}
    missing = {m["what"]: m for _, run in our_runs for m in run.get("not_measured", [])
               if m["section"] == CLUSTER}
    rows = []
    for row in CLUSTER_ROWS:
        mine, py = ours.get(row.ours), theirs.get(row.python)
        label = f"{py['section']}: {py['what']}" if py else (
            "— (not in bench_cluster.py)" if row.python is None else f"{row.python}: not measured")
        gap = missing.get(row.ours) or missing.get("(every figure)") or {"reason": "not in this run"}
        unit = (mine or gap).get("unit") or (py["unit"] if py else "")
        rows.append((row.ours, label, py and py["median"], mine and mine["median"], unit, row.target,
                     gap["reason"]))
    named_ours = {row.ours for row in CLUSTER_ROWS}
    rows += [(what, "— (not in side_by_side.py's CLUSTER_ROWS)", None, r["median"], r["unit"], NO_TARGET, None)
             for what, r in ours.items() if what not in named_ours]
    named_python = {row.python for row in CLUSTER_ROWS}
    rows += [("—", f"{r['section']}: {r['what']}", r["median"], None, r["unit"], NO_TARGET, "Python only")
             for key, r in theirs.items() if key not in named_python]
    return rows


def print_cluster_table(rows):
    print("| figure (multiprocessing4j on Redis) | compared with (bench_cluster.py) | Python "
          "| multiprocessing4j | ours vs Python (median vs median) | target |")
    print("|---|---|---:|---:|---|---|")
    for ours, label, theirs, mine, unit, target, why in rows:
        if mine is None:
            verdict = f"{target.text}: not measured ({why})" if target is not NO_TARGET else (
                why if why == "Python only" else f"not measured ({why})")
        else:
            verdict = target.text + mark(target.verdict(mine, {"python": theirs}, unit))
        print(f"| {ours} [{unit}] | {label} | {fmt(theirs)} | {fmt(mine)} | "
              f"{describe_advantage(mine, theirs, unit)} | {verdict} |")


# --------------------------------------------------------------------------
# Section "scale": processes x item sizes, pool workers, memory bandwidth.
# --------------------------------------------------------------------------

SCALE = "scale"
MEMORY_BANDWIDTH = "memory bandwidth: System.arraycopy, 64 MiB byte[] -> byte[]"
BANDWIDTH_FROM = 4096  # the item size from which a queue row shows memory bandwidth beside it


def scale_target(what, unit):
    """Issue 11's targets for the scaling table's cells (the others have none)."""
    m = re.match(r"queue (\d)P->\dC, (\d+) (B|KiB|MiB) items", what)
    if m:
        procs, size = int(m.group(1)), int(m.group(2)) * {"B": 1, "KiB": 1024, "MiB": 1 << 20}[m.group(3)]
        if size <= 64 and unit == "msg/s" and procs in (1, 2):
            factor = 20 if procs == 1 else 10
            return Target(f"≥ {factor}x CPython (small items)", times_better=factor)
        if size == 4096 and procs == 1 and unit == "MB/s":
            return Target("≥ 4x CPython; memory bandwidth the limit (fresh shared memory while chunks are new)",
                          times_better=4)
        return NO_TARGET
    if what.startswith("pool of 2 workers: map(x*x)"):
        return Target("≥ 3x CPython (the design's pool target)", times_better=3)
    return NO_TARGET


def scale_item_size(what):
    m = re.match(r"queue \dP->\dC, (\d+) (B|KiB|MiB) items", what)
    return int(m.group(1)) * {"B": 1, "KiB": 1024, "MiB": 1 << 20}[m.group(2)] if m else None


def scale_rows(cpython_runs, our_runs):
    """[{what, units: {unit: (CPython fork, ours)}, target, unit judged}] in measuring order,
    and the memory bandwidth figures {what: median}."""
    theirs, ours = index(cpython_runs), index(our_runs)
    bandwidth = {k[1]: r["median"] for k, r in ours.items() if k[0] == SCALE and k[2] == "-"}
    names = []
    for k in list(ours) + list(theirs):
        if k[0] == SCALE and k[2] != "-" and k[1] not in names:
            names.append(k[1])
    rows = []
    for what in names:
        units = {}
        for k in list(ours) + list(theirs):
            if k[0] == SCALE and k[1] == what and k[3] not in units:
                mine = next((r for kk, r in ours.items() if kk[:2] == (SCALE, what) and kk[3] == k[3]), None)
                fork = theirs.get((SCALE, what, "fork", k[3]))
                units[k[3]] = (fork and fork["median"], mine and mine["median"])
        judged = next((u for u in units if scale_target(what, u) is not NO_TARGET), next(iter(units)))
        rows.append(dict(what=what, units=units, target=scale_target(what, judged), judged=judged))
    return rows, bandwidth


def print_scale_table(rows, bandwidth, m):
    memcpy = bandwidth.get(MEMORY_BANDWIDTH)
    print("| scaling: cell | CPython fork | multiprocessing4j | ours vs CPython | "
          "the limit on this machine: memory bandwidth (memcpy-class copy); fresh shared memory "
          "(section limits) | target |")
    print("|---|---:|---:|---|---|---|")
    for row in rows:
        units = row["units"]
        cells = ["; ".join(f"{fmt(v[side])} {u}" for u, v in units.items()) for side in (0, 1)]
        theirs, mine = units[row["judged"]]
        limit = "—"
        size = scale_item_size(row["what"])
        if size and size >= BANDWIDTH_FROM and memcpy and "MB/s" in units and units["MB/s"][1]:
            limit = f"memcpy {fmt(memcpy)} MB/s (ours at {100 * units['MB/s'][1] / memcpy:.2g}%)"
        if size and size >= BANDWIDTH_FROM and m["fresh"] and "MB/s" in units:
            fresh = f"fresh /dev/shm {fmt(m['fresh'])} MB/s, hot {fmt(m['hot'])} MB/s" + cross_core_text(m)
            limit = fresh if limit == "—" else f"{limit}; {fresh}"
            need = required(row["target"], {"fork": theirs}, row["judged"]) if row["judged"] == "MB/s" else None
            if need is not None and need > m["fresh"]:
                limit += (f"; **the target ({fmt(need)} MB/s) is beyond fresh memory** (while every chunk is new; "
                          "not beyond the hot figure)")
        if mine is None:
            verdict = f"{row['target'].text}: not measured" if row["target"] is not NO_TARGET else "not measured"
        else:
            verdict = row["target"].text + mark(row["target"].verdict(mine, {"fork": theirs}, row["judged"]))
        print(f"| {row['what']} | {cells[0]} | {cells[1]} | "
              f"{describe_advantage(mine, theirs, row['judged'])} | {limit} | {verdict} |")
    print()
    print("- Memory bandwidth of this machine (the Java bench, single thread, MB/s copied, "
          "10^6 B): " + "; ".join(f"{what.replace('memory bandwidth', '').lstrip(': ')} "
                                   f"{fmt(v)}" for what, v in bandwidth.items()) + ".")
    if m["fresh"]:
        print(f"- Fresh shared memory (section limits): {fresh_memory_text(m)}{cross_core_text(m)}. An unbounded queue "
              "whose producer runs ahead of its consumer must hold its backlog in fresh memory, so "
              "this is its limit; a queue that reuses its chunks can approach the hot figure, and a "
              "copy can approach memory bandwidth.")
    print("- Queue cells: items/s and MB/s of payload, start-up excluded (barrier), as section tput; "
          "64 KiB and 1 MiB items through a queue bounded at 64 MiB of items, on both sides. "
          "Pool cells: map(x*x) of a running pool after a first untimed call.")


# --------------------------------------------------------------------------
# Charts (bench/run: --charts DIR)
# --------------------------------------------------------------------------

def chart_theirs(row, cpython, unit):
    """The CPython figure a row is judged against: the target's start method, else the best."""
    method = row.target.as_good_as
    if method is None:
        present = {m: v for m, v in cpython.items() if v is not None}
        if not present:
            return None, "CPython"
        method = (max if higher_is_better(unit) else min)(present, key=present.get)
    return cpython.get(method), f"CPython {method}"


def write_charts(directory, note, main_rows, scale, bandwidth, m):
    import os
    import svg_charts
    written = []
    headline = []
    for row, unit, cpython, mine in main_rows:
        if row.target is NO_TARGET and row.section not in ("loop", "pool-calls"):
            continue
        if row.method in OTHER_LIBRARIES or not row.compared:
            continue
        theirs, theirs_label = chart_theirs(row, cpython, unit)
        if row.short:
            label = row.short
        else:
            label = row.ours_name + ("" if row.method in ("cold", "-") else f", {row.method}")
        verdict = None if mine is None else row.target.verdict(mine, cpython, unit)
        limit = limit_for(row, unit, m)
        headline.append(svg_charts.Bars(f"{row.section}: {label} [{unit}]", theirs, theirs_label,
                                        mine, describe_advantage(mine, theirs, unit), verdict,
                                        lambda v, u=unit: f"{fmt(v)} {u}", limit and limit.value))
    if headline:
        path = os.path.join(directory, "headline.svg")
        svg_charts.chart(path, "multiprocessing4j vs CPython multiprocessing: the figures with a target",
                         note + "; each row on its own scale (longer bar = bigger number); dashed orange: "
                         "the limit on this machine (section limits)", headline)
        written.append(path)
    queue = [r for r in scale if r["what"].startswith("queue") and "MB/s" in r["units"]]
    if queue:
        bars = []
        for r in queue:
            theirs, mine = r["units"]["MB/s"]
            verdict = None if mine is None else r["target"].verdict(
                r["units"][r["judged"]][1], {"fork": r["units"][r["judged"]][0]}, r["judged"])
            bars.append(svg_charts.Bars(f"{r['what']} [MB/s]", theirs, "CPython fork", mine,
                                        describe_advantage(mine, theirs, "MB/s"), verdict,
                                        lambda v: f"{fmt(v)} MB/s"))
        path = os.path.join(directory, "scale-queue.svg")
        svg_charts.chart(path, "Queue throughput by producers x consumers and item size (MB/s, log scale)",
                         note + "; start-up excluded", bars, log_axis=True,
                         references=[("memory bandwidth here (System.arraycopy, 64 MiB)",
                                      bandwidth.get(MEMORY_BANDWIDTH)),
                                     ("fresh /dev/shm here (new 1 MiB segments, section limits)", m["fresh"])])
        written.append(path)
    pool = [r for r in scale if r["what"].startswith("pool") and "map(x*x)" in r["what"]]
    if pool:
        bars = []
        for r in pool:
            theirs, mine = r["units"]["tasks/s"]
            verdict = None if mine is None else r["target"].verdict(mine, {"fork": theirs}, "tasks/s")
            bars.append(svg_charts.Bars(f"{r['what']} [tasks/s]", theirs, "CPython fork", mine,
                                        describe_advantage(mine, theirs, "tasks/s"), verdict,
                                        lambda v: f"{fmt(v)} tasks/s"))
        path = os.path.join(directory, "scale-pool.svg")
        svg_charts.chart(path, "Pool map(x*x) by number of workers (tasks/s)", note, bars)
        written.append(path)
    return written


# --------------------------------------------------------------------------
# The limits of this machine (section "limits"), each beside the rows it bounds.
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    """A bound no library can pass on this machine: value in the unit of the row it bounds
    (an upper bound of a rate, a lower bound of a time), text says how it follows."""
    value: float
    text: str
    caveat: str = ""  # when the bound holds, said after "the target is beyond it"
    aside: str = ""  # said last, whether the bound holds or not


def machine(our_runs):
    """This run's figures of section "limits" (and scale's memory bandwidth): {name: median}."""
    ours = index(our_runs)

    def median(section, what, method):
        r = find(ours, section, what, method, None)
        return r and r["median"]

    cross = find(ours, LIMITS, CROSS_CORE, "-", None)
    rings = {}  # (payload: "int", "64 B bytes" or "4 KiB bytes", warmed up, unit): median
    for (section, what, _, unit), r in ours.items():
        if section == LIMITS and what.startswith(BARE_RING):
            payload = "int" if " ints" in what else re.search(r" x (\d+ (?:B|KiB) bytes)", what).group(1)
            rings[(payload, what.endswith(WARMED_UP), unit)] = r["median"]
    return dict(rings=rings,
                cores=median(LIMITS, PROCESSORS, "-"),
                cross_core=cross and (min(cross["values"]), max(cross["values"]), len(cross["values"])),
                boot_cpu=median(LIMITS, BOOT_CPU, "jvm-child-flags"),
                boot_wall=median(LIMITS, BOOT_WALL, "jvm-child-flags"),
                fresh=median(LIMITS, FRESH, "-"), hot=median(LIMITS, HOT, "-"),
                bare_rss=median("mem", BARE_IDLE_RSS, "-"),
                bare_first_line=median("start", FIRST_LINE, "bare"),
                memcpy=median(SCALE, MEMORY_BANDWIDTH, "-"),
                loop_cpu={method: median("loop", LOOP_CPU, method) for method in ("loop-default", "loop-cold", "loop-ide")})


def boots_floor(boots, m, what):
    """(seconds, text): `boots` new JVMs cannot take less than their CPU shared by the cores."""
    seconds = boots * m["boot_cpu"] / m["cores"] / 1e3
    count = "one JVM boot's CPU" if boots == 1 else f"{boots} JVM boots × {fmt(m['boot_cpu'])} ms CPU each"
    cpu = f", {fmt(m['boot_cpu'])} ms," if boots == 1 else ""
    return seconds, f"{what}: {count}{cpu} ÷ {m['cores']:g} CPUs"


def fresh_memory_text(m):
    text = (f"fresh /dev/shm {fmt(m['fresh'])} MB/s (new 1 MiB segments: the limit of an unbounded "
            f"queue whose producer runs ahead, its backlog in new chunks)")
    return text + (f"; hot segment {fmt(m['hot'])} MB/s" if m["hot"] else "")


def cross_core_text(m):
    """The swing of data passed between the two processors (section limits), or nothing."""
    if not m.get("cross_core"):
        return ""
    low, high, windows = m["cross_core"]
    return (f"; 4 KiB blocks passed between two processors {fmt(low)}-{fmt(high)} MB/s "
            f"(lowest and highest of {windows} windows: the machine swings, and so do these rows)")


def limit_for(row, unit, m):
    """The limit of this machine on a row of the main table, or None."""
    booted = m["boot_cpu"] and m["cores"]
    wall = m["boot_wall"]
    if row.cpython == FIRST_QUEUE:
        return None
    if row.cpython == FIRST_CHILD:
        return Limit(wall * 1e3, f"≥ {fmt(wall)} ms: the child's JVM boots first (a bare JVM with the child options and "
                                 f"an archive of its own, started to its exit)") if wall else None
    if row.section == "loop" and row.cpython in (LOOP, LOOP_MEAN) and row.method in m["loop_cpu"] and booted:
        seconds, why = boots_floor(1, m, "a round")
        cpu = m["loop_cpu"][row.method]
        spent = (f"; this run's rounds took {fmt(cpu / 1e3)} ms of CPU each (the program's and its children's), "
                 f"so ≥ {fmt(cpu / m['cores'] / 1e3)} ms a round on {m['cores']:g} CPUs") if cpu else ""
        return Limit(seconds * 1e6, f"≥ {fmt(seconds * 1e3)} ms a round while each round needs a new JVM "
                                    f"({why}); a round that waits for its child's boot: ≥ {fmt(wall)} ms",
                     aside=spent)
    if row.section == "many" and booted:
        count = int(re.match(r"(\d+) processes", row.cpython).group(1))
        spares = int(m["cores"]) if row.method == "warm" else 0  # booted before the clock, at most
        seconds, why = boots_floor(count - spares, m, "start+join")
        return Limit(seconds, f"≥ {fmt(seconds)} s ({why}{', the spares booted before the clock left out' if spares else ''})")
    if row.section == "jq" and booted and row.method != "warm":  # spares boot before the clock
        seconds, why = boots_floor(4, m, "2 producers and 2 consumers")
        if unit == "s":
            return Limit(seconds, f"≥ {fmt(seconds)} s ({why})")
        per = re.search(r"2 producers x (\d+)", row.cpython)
        if per and unit == "items/s":
            items = 2 * int(per.group(1))
            return Limit(items / seconds, f"≤ {fmt(items / seconds)} items/s ({items:,} items in ≥ {fmt(seconds)} s: {why})")
    # pools in a loop: no floor of JVM boots since 2026-12-07, a pool taking the last one's kept workers
    if row.section == "pool-calls" and "first call" in row.cpython and wall:
        items = int(re.search(r"over (\d+) ints", row.cpython).group(1))
        return Limit(items / (wall / 1e3), f"≤ {fmt(items / (wall / 1e3))} tasks/s: the {items:,} items cannot be "
                                           f"mapped before a worker JVM has booted ({fmt(wall)} ms, bare, child options, "
                                           f"its own archive)")
    if row.section == "start" and row.cpython == FIRST_LINE and row.method == "cold" and m["bare_first_line"]:
        bare = m["bare_first_line"]
        return Limit(bare, f"≥ {fmt(bare / 1e3)} ms: a bare JVM's first line, started the same way, with an "
                           f"archive of its own as a child has (this section's bare row)")
    cold_boot = (row.section == "start" and row.cpython.startswith("start()+join()")) or (
        row.section == "pool" and "create + map" in row.ours_name)
    if cold_boot and row.method == "cold" and wall:
        return Limit(wall * 1e3, f"≥ {fmt(wall * 1e3)} us: a bare JVM's boot to exit (child options, its own archive)")
    if row.section == "mem" and row.cpython == "idle child VmRSS" and m["bare_rss"]:
        return Limit(m["bare_rss"], f"≥ {fmt(m['bare_rss'])} MiB: a bare JVM with the children's options and an "
                                    f"archive of its own, idle (no library; section mem)")
    if row.section == "tput":
        return tput_limit(row, unit, m)
    return None


def tput_limit(row, unit, m):
    """A throughput row's limit: for 1 -> 1 ints, 64 B and 4 KiB items, the bare ring between two new
    JVMs (or warmed up, as the row); for 4 KiB items, fresh shared memory too."""
    fresh = "4 KiB" in row.cpython and unit == "MB/s" and m["fresh"]
    payload = row.cpython.rpartition(", ")[2]
    ring = (m["rings"].get((payload, row.ours_name.endswith(WARMED_UP), unit))
            if "1P->1C" in row.cpython and row.method == "cold" else None)
    if ring:
        text = (f"≤ {fmt(ring)} {unit}: two new JVMs with the children's options through a bare ring, no library "
                f"(section limits){', warmed up as this row' if row.ours_name.endswith(WARMED_UP) else ''}")
        return Limit(ring, text, aside=f"; {fresh_memory_text(m)}{cross_core_text(m)}" if fresh else "")
    if fresh:
        return Limit(m["fresh"], fresh_memory_text(m), " while every chunk is new (a queue that reuses its chunks "
                                                       "is bounded by the hot figure instead)", cross_core_text(m))
    return None


def print_limits_note(m):
    if not (m["boot_cpu"] or m["fresh"]):
        return
    print("- The limit on this machine: a cost of this VM measured in the same run (section limits), "
          "and what it bounds whatever the library does. Section limits' rows: a process that does "
          "nothing, started and reaped one after another; CPython fork is os.fork() of a child that "
          "exits at once (the parent's CPU counted too), spawn is python3 -c pass, ours a bare JVM "
          "(java -cp, a main that returns). From a JVM's boot (the library's child options): a loop "
          "that needs a new JVM each round runs at most one round per boot CPU ÷ CPUs; N new JVMs "
          "take at least N × boot CPU ÷ CPUs; the pool's first call in a new program cannot end "
          "before a worker JVM has booted. From fresh shared memory: a queue whose producer runs "
          "ahead of its consumer must hold its backlog in new chunks, each MiB of which is created, "
          "reserved (zeros written), mapped and page-faulted in both processes, then released; the "
          "hot segment's figure is what reused chunks can approach. From data passed between two "
          "processors (4 KiB blocks one thread writes and another reads): how far the machine itself "
          "swings, the lowest and highest of its windows. From a bare ring (two new JVMs with the "
          "children's options, one putting and one taking section tput's items through a ring in "
          "/dev/shm with no library: no lock, header, chunk, wake-up or encoding): what a new "
          "JVM's first items cost the JVM itself (interpreter, compiling, a fresh heap), beside the "
          "1 -> 1 rows of ints, 64 B and 4 KiB items. \"Beyond it\": no library can "
          "meet that target on this machine.")


def required(target, cpython, unit):
    """The figure a target asks for in this run (the strictest of its criteria), or None."""
    hib = higher_is_better(unit)
    needs = []
    if target.limit is not None:
        needs.append(target.limit)
    if target.as_good_as and cpython.get(target.as_good_as):
        needs.append(cpython[target.as_good_as] * target.by if hib else cpython[target.as_good_as] / target.by)
    best = best_of(cpython, unit)
    if target.times_better and best:
        needs.append(best * target.times_better if hib else best / target.times_better)
    return (max if hib else min)(needs) if needs else None


def describe_limit(limit, target, cpython, unit):
    if limit is None:
        return "—"
    need = required(target, cpython, unit)
    if need is not None and not better_or_equal(unit, limit.value, need):
        return f"{limit.text}; **the target ({fmt(need)} {unit}) is beyond it**{limit.caveat}{limit.aside}"
    return limit.text + limit.aside


# --------------------------------------------------------------------------
# Reading and printing
# --------------------------------------------------------------------------

def load(paths):
    runs = []
    for path in paths:
        with open(path) as f:
            runs.append((path, json.load(f)))
    return runs


def index(runs):
    """{(section, what, method, unit): figure}"""
    return {(r["section"], r["what"], r["method"], r["unit"]): r
            for _, run in runs for r in run["results"]}


def find(figures, section, what, method, unit):
    """The figure in this unit; any unit when None (a figure recorded in one)."""
    if unit is not None:
        return figures.get((section, what, method, unit))
    return next((r for k, r in figures.items() if k[:3] == (section, what, method)), None)


def cpython_medians(figures, section, what, unit):
    medians = {}
    for m in CPYTHON_METHODS:
        # "-" is a single figure for the parent process, whatever the method
        r = find(figures, section, what, m, unit) or find(figures, section, what, "-", unit)
        medians[m] = r["median"] if r else None
    return medians


def table_rows(cpython_runs, our_runs):
    theirs = index(cpython_runs)
    ours = index(our_runs)
    sections_run = {r["section"] for _, run in cpython_runs + our_runs for r in run["results"]}
    names = {k[1] for k in list(theirs) + list(ours)}
    rows = []
    listed = set()
    for row in (r for listed_row in ROWS for r in with_sizes(listed_row, names)):
        if row.section not in sections_run or row.section in (CLUSTER, SCALE):
            continue
        mine = find(ours, row.section, row.ours_name, row.method, row.unit)
        unit = row.unit or (mine["unit"] if mine else next(
            (r["unit"] for k, r in theirs.items() if k[:2] == (row.theirs_section, row.cpython)), ""))
        listed.add((row.section, row.ours_name, row.method, unit))
        rows.append((row, unit, cpython_medians(theirs, row.theirs_section, row.cpython, unit),
                     mine["median"] if mine else None))
    for key, mine in ours.items():
        if key not in listed and key[0] not in (CLUSTER, SCALE):
            row = Row(key[0], key[1], method=key[2], compared=key[0] != LIMITS,
                      target=NO_TARGET if key[0] == LIMITS else Target("— (not in side_by_side.py's ROWS)"))
            # after the last row of its section, if any (section limits' facts), else at the end
            at = max((i + 1 for i, r in enumerate(rows) if r[0].section == key[0]), default=len(rows))
            rows.insert(at, (row, key[3], cpython_medians(theirs, key[0], key[1], key[3]), mine["median"]))
    return rows


def print_table(rows, m):
    print("| figure | CPython fork | CPython spawn | multiprocessing4j "
          "| ours vs CPython's best (median vs median) | target | the limit on this machine (section limits) |")
    print("|---|---:|---:|---:|---|---|---|")
    for row, unit, cpython, mine in rows:
        if row.method in OTHER_LIBRARIES:
            label = f"{row.ours_name}, {METHOD_NAMES[row.method]}"
            if row.ours and row.ours != row.cpython:
                label += f" (CPython's: {row.cpython})"
        else:
            label = row.cpython
            if row.method not in ("cold", "-"):
                label += ", " + METHOD_NAMES.get(row.method, row.method)
            if row.ours and row.ours != row.cpython:
                label += f" (ours: {row.ours})"
        if mine is None and row.target is not NO_TARGET:
            target = f"{row.target.text}: not measured"
        elif mine is None:
            target = "not measured"
        else:
            target = row.target.text + mark(row.target.verdict(mine, cpython, unit))
        print(f"| {row.section}: {label} [{unit}] | {fmt(cpython['fork'])} | "
              f"{fmt(cpython['spawn'])} | {fmt(mine)} | "
              f"{describe_advantage(mine, best_of(cpython, unit), unit) if row.compared else '—'} | {target} | "
              f"{describe_limit(limit_for(row, unit, m), row.target, cpython, unit)} |")


NOISY_CPUS = 0.25   # the threshold of bench_mp.py's wait for a quiet machine


def print_noise(cpython_runs, our_runs):
    parts = []
    worst = 0.0
    for path, run in cpython_runs + our_runs:
        loads = run.get("foreign_cpus") or {}
        if loads:
            name = path.rsplit("/", 1)[-1]
            parts.append(f"{name}: " + ", ".join(f"{k} {v:.2f}" for k, v in loads.items()))
            worst = max([worst] + list(loads.values()))
    if parts:
        print("- CPU used by other processes while measuring (in CPUs; noise "
              "indicator): " + "; ".join(parts))
    if worst > NOISY_CPUS:
        print(f"- **Noisy run**: other processes used up to {worst:.2f} CPUs during a "
              "measurement; figures taken then are not reliable.")


def main(argv):
    cpython_paths, python_cluster_paths, our_paths = [], [], []
    charts, chart_note, save_ratios, baseline = None, "", None, None
    i = 0
    while i < len(argv):
        if argv[i] == "--cpython" and i + 1 < len(argv):
            cpython_paths.append(argv[i + 1])
        elif argv[i] == "--python-cluster" and i + 1 < len(argv):
            python_cluster_paths.append(argv[i + 1])
        elif argv[i] == "--ours" and i + 1 < len(argv):
            our_paths.append(argv[i + 1])
        elif argv[i] == "--charts" and i + 1 < len(argv):
            charts = argv[i + 1]
        elif argv[i] == "--chart-note" and i + 1 < len(argv):
            chart_note = argv[i + 1]
        elif argv[i] == "--save-ratios" and i + 1 < len(argv):
            save_ratios = argv[i + 1]
        elif argv[i] == "--baseline" and i + 1 < len(argv):
            baseline = argv[i + 1]
        else:
            sys.exit(__doc__)
        i += 2
    if not our_paths:
        sys.exit(__doc__)
    cpython_runs, our_runs = load(cpython_paths), load(our_paths)
    rows = table_rows(cpython_runs, our_runs)
    m = machine(our_runs)
    if rows:
        print_table(rows, m)
        print()
        print("- Every cell is the median over the repetitions; the unit is in brackets. "
              "multiprocessing4j's children are cold starts (a new JVM each) unless the row says "
              "warm (a spare JVM, booted beforehand, takes the target: the library's default); rows "
              "naming PP4J or out-process measure those libraries, in the multiprocessing4j column.")
        print("- \"CPython's best\" is the better of fork and spawn; the ratio column says "
              "in words which side is better (× faster/slower, smaller/larger, higher/lower).")
        print("- A target that names CPython is checked against CPython's figure from this "
              "same run (the number in brackets is CPython's in the design's reference run); "
              "the others against the target's own number (docs/ARCHITECTURE.md, design targets).")
        print_limits_note(m)
    scale, bandwidth = scale_rows(cpython_runs, our_runs)
    if scale:
        print()
        print_scale_table(scale, bandwidth, m)
    if charts:
        for path in write_charts(charts, chart_note, rows, scale, bandwidth, m):
            print(f"side_by_side.py: wrote {path}", file=sys.stderr)
    ran_cluster = any(r["section"] == CLUSTER for _, run in our_runs
                      for r in run["results"] + run.get("not_measured", []))
    if ran_cluster:
        if rows:
            print()
        print_cluster_table(cluster_table_rows(load(python_cluster_paths), our_runs))
        print()
        print("- Section cluster: ours and bench_cluster.py's Python tools on a loopback "
              "redis-server each starts for itself; every cell a median over the repetitions. "
              "A target that names Celery is checked against Celery's figure of this same run.")
    print_noise(cpython_runs, our_runs)
    ratios = current_ratios(rows, scale, chart_note)
    if save_ratios:
        with open(save_ratios, "w") as f:
            json.dump(ratios, f, indent=1, sort_keys=True)
    if baseline:
        print_moved(ratios, baseline)


# --------------------------------------------------------------------------
# Comparison with an earlier run (--save-ratios, --baseline).
# --------------------------------------------------------------------------

MOVED_FACTOR = 2.0  # a row whose ratio moved this much since the baseline is listed


def current_ratios(rows, scale, note):
    """{"note": ..., "rows": {label: {"advantage", "ours", "theirs", "unit"}}} of this run."""
    out = {}
    for row, unit, cpython, mine in rows:
        theirs = best_of(cpython, unit)
        if row.compared and mine and theirs:
            label = f"{row.section}: {row.ours_name or row.cpython}, {row.method} [{unit}]"
            out[label] = dict(advantage=advantage(mine, theirs, unit), ours=mine, theirs=theirs, unit=unit)
    for cell in scale:
        theirs, mine = cell["units"][cell["judged"]]
        if mine and theirs:
            out[f"scale: {cell['what']} [{cell['judged']}]"] = dict(
                advantage=advantage(mine, theirs, cell["judged"]), ours=mine, theirs=theirs, unit=cell["judged"])
    return dict(note=note, rows=out)


def print_moved(ratios, baseline_path):
    with open(baseline_path) as f:
        baseline = json.load(f)
    moved = []
    for label, now in ratios["rows"].items():
        then = baseline["rows"].get(label)
        if then and then["advantage"] > 0 and now["advantage"] > 0:
            factor = now["advantage"] / then["advantage"]
            if factor >= MOVED_FACTOR or factor <= 1 / MOVED_FACTOR:
                moved.append((factor, label, then, now))
    print()
    print(f"Moved since the baseline ({baseline_path.rsplit('/', 1)[-1]}: {baseline.get('note') or 'no note'}): "
          f"rows whose ratio to CPython changed {MOVED_FACTOR:g}× or more, worse first")
    print()
    if not moved:
        print("- none")
        return
    print("| figure | ours vs CPython then | now | moved | ours then / now | CPython then / now |")
    print("|---|---|---|---|---|---|")
    for factor, label, then, now in sorted(moved):
        unit = now["unit"]
        print(f"| {label} | {describe_ratio(then['advantage'], unit)} | {describe_ratio(now['advantage'], unit)} | "
              f"{'worse' if factor < 1 else 'better'} {max(factor, 1 / factor):.2g}× | "
              f"{fmt(then['ours'])} / {fmt(now['ours'])} | {fmt(then['theirs'])} / {fmt(now['theirs'])} |")


def describe_ratio(a, unit):
    """describe_advantage's words for an advantage already computed."""
    return describe_advantage(a, 1.0, unit) if higher_is_better(unit) else describe_advantage(1.0, a, unit)


if __name__ == "__main__":
    main(sys.argv[1:])
