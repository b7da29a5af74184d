#!/usr/bin/env python3
"""user_patterns.py -- CPython's side of the sections "limits", "start" (one figure), "loop", "pool-calls" and "scale".

The patterns a user meets first, and how the figures scale (issue 11), measured with
CPython's multiprocessing as the Java bench measures them with multiprocessing4j
(LoopSection, PoolCallsSection, ScaleSection), under the same figure names:

  limits      what a new process costs, nothing run in it (LimitsSection's JVM boot):
              os.fork() of a child that calls os._exit(0) at once, waitpid ("fork"),
              and python3 -c pass ("spawn": the interpreter under spawn's child),
              one after another: the wall time to the reaped exit (a repetition's
              median) and the CPU time (user+sys) per process, from os.times(): the
              reaped children's, and for fork the parent's too (fork's page-table
              copy is the parent's work).
  start       bench_mp.py has this section's figures but one: a child given data to work on,
              start() to the target's first line when it is also given a bytes of 64 MiB
              (StartSection's array the target captures), with fork and with spawn.
  loop        start in a loop: 9 rounds of new Queue, start a child that puts
              time.monotonic_ns(), get it, join; the median and the mean of the
              rounds from start() to the value received, and the CPU time a round
              of rounds 2 to 9 (os.times(): the program's and its reaped
              children's).  Each repetition is a new python3
              (a "cold program", as the Java side's new java -cp), with fork and
              with spawn.
  pool-calls  in a new python3: Pool(2) (fork), the first call (map x*x over 10,000
              ints), then the second call (map over a list of pool_calls_n ints,
              three times: its median); the constructor's time too; then one
              apply(x*x), untimed, 15 apply()s of a task that computes 5 ms (their
              median time beyond the task's own), and after the pool idled a second
              another x*x (call -> result), then 20 more, each after 100 ms of idling
              (their median), and last close() and join(); then a forked Process's
              get() of items put after an mp.Queue idled a second (twice) and 20 ms
              (15 times: their median), put -> item; last, pools in a loop: Pool(2)
              made, map x*x over 1,000 ints, close() and join(), 9 times (their median);
              then 200 Queues, and 200 duplex Pipes, each made, used once and closed
              (their medians).
  scale       Queue, 1, 2 and 4 producers to as many consumers, bytes items of 8 B,
              64 B, 4 KiB, 64 KiB and 1 MiB (64 KiB and up through a queue bounded at
              64 MiB of items), timed by bench_mp.py's own _tput_once (start-up excluded
              by a barrier); the 4 KiB items as a user meets them: a child puts
              50,000 into a Queue(1000), the parent takes them (from the child's
              first put); the same with 100,000 small tuples (i, "item", 1.5) and small
              dicts {"id": i, "name": "item"}, each made as it is put (the Java side's
              records and HashMaps); a list of a million ints put by the parent, taken by
              a child (put -> taken); Pool(1), Pool(2), Pool(4) map(x*x) over pool_calls_n ints,
              and Pool(2) map over 200,000 tuples (i, "item", 1.5) -> (i, 3.0) (the Java
              side's records),
              default chunk size, after a first untimed call.  fork only: start-up
              is excluded, and bench_mp.py's spawn cross-check shows the transport
              does not depend on it.

Usage:
    python3 user_patterns.py [--quick] [--only limits,start,loop,pool-calls,scale] [--json FILE]

Writes the figures as JSON in the shape of bench_mp.py's --json output (to FILE, or
stdout); progress on stderr.  Standard library only; it imports bench_mp.py (beside
it) for its queue producer and consumer, _sq, its machine-load helpers and its
record format.
"""
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time

import bench_mp
import many_procs

ROUNDS = 9
LOOP_WHAT = ("start in a loop (a new program): queue, start() a child that puts a time, get(), join();"
             f" start() -> value received, median of {ROUNDS} rounds")
LOOP_MEAN_WHAT = LOOP_WHAT.replace("median of", "mean of")
FIRST_CHILD_WHAT = "a program's first child (a new program, the loop's first round): start() -> value received"
FIRST_QUEUE_WHAT = "a program's first shared object (a new program, the loop's first queue): its constructor"
# LoopSection.CPU_WHAT
LOOP_CPU_WHAT = ("start in a loop (a new program): CPU time a round, the program's and its reaped children's,"
                 f" rounds 2 to {ROUNDS}")
LARGE_TARGET_BYTES = 64 << 20  # as StartSection.LARGE_TARGET_BYTES
LARGE_TARGET_WHAT = ("start() call -> first line of target runs, the target capturing a "
                     f"{LARGE_TARGET_BYTES >> 20} MiB byte array too (Python: bytes, given as an argument)")
# StartSection.EXIT and EXIT_MEAN: a child's exit, from its target's last line to join() returning
EXIT_WHAT = "a child's exit: its target's last line -> join() returns (an empty target's child)"
EXIT_MEAN_WHAT = EXIT_WHAT + ", mean"
FIRST_ITEMS = 10_000
SECOND_REPEATS = 3
IDLE_MILLIS = 1000  # as PoolCallsProgram.IDLE_MILLIS: past a wait's young pauses
BRIEF_IDLE_MILLIS = 20  # as PoolCallsProgram.BRIEF_IDLE_MILLIS: a consumer fed every so often
BRIEF_IDLE_GETS = 15  # as PoolCallsProgram.BRIEF_IDLE_GETS: their median is the figure
TASK_MILLIS = 5  # as PoolCallsProgram.TASK_MILLIS: a short request's work
BRIEF_IDLE_APPLY_MILLIS = 100  # as PoolCallsProgram.BRIEF_IDLE_APPLY_MILLIS: a request every so often
BRIEF_IDLE_APPLIES = 20  # as PoolCallsProgram.BRIEF_IDLE_APPLIES: their median is the figure
TASK_APPLIES = 15  # as PoolCallsProgram.TASK_APPLIES: their median is the figure
POOL_WORKERS = 2
POOL_ROUNDS = 9  # as PoolCallsProgram.POOL_ROUNDS: pools made, used and closed one after the other
POOL_ROUND_ITEMS = 1000  # as PoolCallsProgram.POOL_ROUND_ITEMS: the items of each one's map
OBJECT_ROUNDS = 200  # as PoolCallsProgram.OBJECT_ROUNDS: queues, then pipes, made, used once and closed
POOL_PREFIX = "pool in a new program (default flags): "
PROCESSES = (1, 2, 4)
SIZES = (8, 64, 4096, 64 * 1024, 1024 * 1024)
BOUNDED_BYTES = 64 << 20

FULL = dict(program_reps=3, pool_calls_n=1_000_000, scale_reps=3, scale_divisor=1, reps=5, start_reps=20)
QUICK = dict(program_reps=1, pool_calls_n=100_000, scale_reps=1, scale_divisor=10, reps=2, start_reps=5)


# --------------------------------------------------------------------------
# Names shared with the Java bench (the tables match figures by name)
# --------------------------------------------------------------------------

BOOT_WALL = "a process that does nothing, started and reaped one after another: wall time to exit"
BOOT_CPU = "a process that does nothing, started and reaped one after another: CPU time (user+sys) per process"
SPAWN_BOOTS = 10     # as LimitsSection.BOOTS
FORK_BOOTS = 200     # a fork is ~1 ms: enough of them for os.times()'s 10 ms ticks


def constructor_name():
    return f"{POOL_PREFIX}constructor of a pool of {POOL_WORKERS}"


def first_call_name():
    return f"{POOL_PREFIX}first call, map(x*x) over {FIRST_ITEMS} ints"


def second_call_name(items):
    return f"{POOL_PREFIX}second call, map(x*x) over {items} ints, median of {SECOND_REPEATS}"


def task_apply_name():
    return (f"{POOL_PREFIX}apply() of a task that computes {TASK_MILLIS} ms, median of {TASK_APPLIES}: "
            "call -> result, beyond the task's own time")


def capturing_apply_name():
    return (f"{POOL_PREFIX}apply() of a task that computes {TASK_MILLIS} ms, given its time (Java: a lambda "
            f"capturing it, Python: an argument), median of {TASK_APPLIES}: call -> result, beyond the task's own time")


def function_apply_name():
    return (f"{POOL_PREFIX}apply() of a function that computes {TASK_MILLIS} ms, its time the argument "
            f"(apply(fn, argument), Python: apply(func, args)), median of {TASK_APPLIES}: call -> result, "
            "beyond the task's own time")


def idle_apply_name():
    return f"{POOL_PREFIX}apply(x*x) after the pool idled {IDLE_MILLIS} ms: call -> result"


def brief_idle_apply_name():
    return (f"{POOL_PREFIX}apply(x*x) after the pool idled {BRIEF_IDLE_APPLY_MILLIS} ms, median of "
            f"{BRIEF_IDLE_APPLIES} (a pool given a task every so often): call -> result")


def close_name():
    return f"{POOL_PREFIX}close() and join() after the calls"


def idle_get_name(first):
    return ("queue in a new program: a child's get() of an item put after the queue idled "
            f"{IDLE_MILLIS} ms, {'first' if first else 'second'} time: put -> item")


def brief_idle_get_name():
    return ("queue in a new program: a child's get() of an item put after the queue idled "
            f"{BRIEF_IDLE_MILLIS} ms, median of {BRIEF_IDLE_GETS}: put -> item")


def pool_rounds_name():
    return (f"pools in a loop, in a new program: a pool of {POOL_WORKERS} made, map(x*x) over {POOL_ROUND_ITEMS}"
            f" ints, close() and join(), median of {POOL_ROUNDS} rounds")


def queue_rounds_name():
    return f"queues in a loop, in a new program: a queue made, one int put and taken, close(), median of {OBJECT_ROUNDS}"


def pipe_rounds_name():
    return ("pipes in a loop, in a new program: a duplex pipe made, one int sent and received, both ends closed,"
            f" median of {OBJECT_ROUNDS}")


def items(size):
    """A full run's items per cell: a few tenths of a second on the slower side (ScaleSection.items)."""
    return {8: 100_000, 64: 100_000, 4096: 40_000, 64 * 1024: 4_000, 1024 * 1024: 400}[size]


def bound(size):
    return 0 if size < 64 * 1024 else BOUNDED_BYTES // size


def queue_name(processes, size):
    payload = f"{size} B" if size < 1024 else f"{size // 1024} KiB" if size < 1 << 20 else f"{size >> 20} MiB"
    b = bound(size)
    return f"queue {processes}P->{processes}C, {payload} items" + (f", bounded at {b}" if b else "")


USER_ITEMS, USER_BOUND, USER_SIZE = 50_000, 1000, 4096


def parent_takes_name(n):
    return f"queue 1P->1C, 4 KiB items, bounded at {USER_BOUND}: a child puts {n}, the parent takes them"


STRUCTURED_ITEMS = 100_000


def structured_name(maps, n):
    what = ("small maps {id: int, name: string} (Java: HashMap, Python: dict)" if maps
            else "small records (int, string, double) (Java: a record, Python: a tuple)")
    return f"queue 1P->1C, {what}, bounded at {USER_BOUND}: a child puts {n}, the parent takes them"


LIST_INTS, LIST_PUTS = 1_000_000, 5  # as ScaleSection.LIST_INTS, LIST_PUTS


def large_list_name(ints):
    return (f"queue: the parent puts a list of {ints} ints (Java: ArrayList<Integer>, Python: list), a child takes it:"
            f" put -> taken, mean of {LIST_PUTS} after a first")


def _take_lists(lists, taken, ints, count):
    for i in range(count):
        got = lists.get()
        at = time.monotonic_ns()
        if len(got) != ints or got[-1] != ints - 1:
            raise ValueError(f"list {i} is not the list of {ints} ints")
        taken.put(at)


def large_list_to_a_child(ctx, ints):
    """ms from the parent's put of a list of ints to a new child's take, mean of LIST_PUTS after a first."""
    values = list(range(ints))
    lists, taken = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_take_lists, args=(lists, taken, ints, 1 + LIST_PUTS))
    p.start()
    total = 0.0
    for put in range(1 + LIST_PUTS):
        t0 = time.monotonic_ns()
        lists.put(values)
        at = taken.get()
        if put > 0:
            total += (at - t0) / 1e6
    p.join()
    assert p.exitcode == 0, p.exitcode
    return total / LIST_PUTS


POOL_OF_RECORDS_WORKERS, POOL_OF_RECORDS_ITEMS = 2, 200_000


def pool_of_records_name(n):
    return (f"pool of {POOL_OF_RECORDS_WORKERS} workers: map over {n} small records (int, string, double)"
            " -> (int, double) (Java: records, Python: tuples), default chunk size")


def _price(order):
    return (order[0], order[2] * 2)


UNEVEN_LONG_MS, UNEVEN_SHORT_MS, UNEVEN_SHORTS = 600, 30, 15
SUBMITTED_SHORT_MS, SUBMITTED_SHORTS = 60, 3


def submitted_uneven_name():
    return (f"pool of 2 workers: one task of {UNEVEN_LONG_MS} ms submitted, then {SUBMITTED_SHORTS} of"
            f" {SUBMITTED_SHORT_MS} ms (sleeps): until all are done")


def uneven_name():
    return (f"pool of 2 workers: map over one task of {UNEVEN_LONG_MS} ms and {UNEVEN_SHORTS} of"
            f" {UNEVEN_SHORT_MS} ms (sleeps), chunks of one: the whole map")


LARGE_ITEMS, LARGE_SIZE = 16, 8 << 20


def large_arguments_name():
    return (f"pool of 2 workers: map over {LARGE_ITEMS} byte arrays of {LARGE_SIZE >> 20}"
            f" MiB (Java: byte[], Python: bytes), each to its length, chunks of one")


def large_results_name():
    return f"pool of 2 workers: map over {LARGE_ITEMS} ints, each to a new byte array of {LARGE_SIZE >> 20} MiB, chunks of one"


def _large_array(i):
    return bytes(LARGE_SIZE)


def _sleep_ms(ms):
    time.sleep(ms / 1000)
    return ms


def pool_name(workers, n):
    return f"pool of {workers} workers: map(x*x) over {n} ints, default chunk size"


# --------------------------------------------------------------------------
# The programs (run as a new python3 each)
# --------------------------------------------------------------------------

def _put_time(q):
    q.put(time.monotonic_ns())


def _cpu_with_reaped_children():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def loop_program(method, rounds):
    ctx = mp.get_context(method)
    cpu_after_first = 0
    for i in range(rounds):
        made = time.monotonic_ns()
        q = ctx.Queue()
        if i == 0:
            print(f"first_queue_us\t{(time.monotonic_ns() - made) / 1e3}", flush=True)
        p = ctx.Process(target=_put_time, args=(q,))
        t0 = time.monotonic_ns()
        p.start()
        in_child = q.get(timeout=120)
        received = time.monotonic_ns()
        p.join(120)
        if p.exitcode != 0 or not t0 <= in_child <= received:
            raise RuntimeError(f"round failed: exit code {p.exitcode}, times {t0} {in_child} {received}")
        q.close()
        q.join_thread()
        print(f"round_us\t{(received - t0) / 1e3}", flush=True)
        if i == 0:
            cpu_after_first = _cpu_with_reaped_children()
    if rounds > 1:
        print(f"round_cpu_us\t{(_cpu_with_reaped_children() - cpu_after_first) * 1e6 / (rounds - 1)}", flush=True)


def pool_program(first, second, repeats):
    ctx = mp.get_context("fork")
    first_items, second_items = list(range(first)), list(range(second))
    t0 = time.perf_counter_ns()
    pool = ctx.Pool(POOL_WORKERS)
    t1 = time.perf_counter_ns()
    r = pool.map(bench_mp._sq, first_items)
    t2 = time.perf_counter_ns()
    assert len(r) == first and r[-1] == (first - 1) ** 2
    print(f"construct_us\t{(t1 - t0) / 1e3}")
    print(f"first_per_s\t{first / ((t2 - t1) / 1e9)}")
    for _ in range(repeats):
        t3 = time.perf_counter_ns()
        r = pool.map(bench_mp._sq, second_items)
        t4 = time.perf_counter_ns()
        assert len(r) == second and r[-1] == (second - 1) ** 2
        print(f"second_per_s\t{second / ((t4 - t3) / 1e9)}", flush=True)
    pool.apply(bench_mp._sq, (7,))  # untimed, as the Java side's first task
    # Three times the same calls: the Java side's first task captures nothing, its second its time,
    # its third is a function given its time as the argument.
    for figure in ("task_apply_us", "capturing_apply_us", "function_apply_us"):
        beyond = []
        for _ in range(TASK_APPLIES):
            t = time.perf_counter_ns()
            ran = pool.apply(_compute_for_millis, (TASK_MILLIS,))
            beyond.append(time.perf_counter_ns() - t - ran)
        print(f"{figure}\t{statistics.median(beyond) / 1e3}", flush=True)
    time.sleep(IDLE_MILLIS / 1e3)
    t5 = time.perf_counter_ns()
    square = pool.apply(bench_mp._sq, (7,))
    t6 = time.perf_counter_ns()
    brief_idle_applies = []
    for _ in range(BRIEF_IDLE_APPLIES):
        time.sleep(BRIEF_IDLE_APPLY_MILLIS / 1e3)
        before = time.perf_counter_ns()
        answer = pool.apply(bench_mp._sq, (7,))
        brief_idle_applies.append((time.perf_counter_ns() - before) / 1e3)
        assert answer == 49, answer
    closing = time.perf_counter_ns()
    pool.close()
    pool.join()
    t7 = time.perf_counter_ns()
    assert square == 49, square
    print(f"idle_apply_us\t{(t6 - t5) / 1e3}")
    print(f"brief_idle_apply_us\t{statistics.median(brief_idle_applies)}")
    print(f"close_us\t{(t7 - closing) / 1e3}", flush=True)
    first_idle_get, idle_get, *brief_idle_gets = _idle_gets(ctx)
    print(f"first_idle_get_us\t{first_idle_get / 1e3}")
    print(f"idle_get_us\t{idle_get / 1e3}")
    print(f"brief_idle_get_us\t{statistics.median(brief_idle_gets) / 1e3}", flush=True)
    round_items = list(range(POOL_ROUND_ITEMS))
    for _ in range(POOL_ROUNDS):
        t8 = time.perf_counter_ns()
        round_pool = ctx.Pool(POOL_WORKERS)
        r = round_pool.map(bench_mp._sq, round_items)
        round_pool.close()
        round_pool.join()
        t9 = time.perf_counter_ns()
        assert len(r) == POOL_ROUND_ITEMS and r[-1] == (POOL_ROUND_ITEMS - 1) ** 2
        print(f"pool_round_us\t{(t9 - t8) / 1e3}", flush=True)
    print(f"queue_round_us\t{_median_round_us(lambda i: _queue_round(ctx, i))}")
    print(f"pipe_round_us\t{_median_round_us(lambda i: _pipe_round(ctx, i))}", flush=True)


def _queue_round(ctx, item):
    """A queue made, `item` put and taken, the queue closed; returns what was taken."""
    q = ctx.Queue()
    q.put(item)
    taken = q.get()
    q.close()
    q.join_thread()  # what the Java side's close() waits for: nothing left of the queue
    return taken


def _pipe_round(ctx, item):
    """A duplex pipe made, `item` sent and received, both ends closed; returns what was received."""
    left, right = ctx.Pipe()
    left.send(item)
    received = right.recv()
    left.close()
    right.close()
    return received


def _median_round_us(round_of):
    """The median of OBJECT_ROUNDS rounds' times in microseconds (PoolCallsProgram.medianRoundMicros)."""
    rounds = []
    for i in range(OBJECT_ROUNDS):
        t0 = time.perf_counter_ns()
        got = round_of(i)
        rounds.append(time.perf_counter_ns() - t0)
        assert got == i, (got, i)
    return statistics.median(rounds) / 1e3


def _compute_for_millis(millis):
    """A task that computes for `millis` ms; returns how long it ran, in nanoseconds."""
    start = time.perf_counter_ns()
    end = start + millis * 1_000_000
    while time.perf_counter_ns() < end:
        pass
    return time.perf_counter_ns() - start


def _echo_delays(sent, delays, items):
    for _ in range(items):
        at = sent.get()
        delays.put(time.monotonic_ns() - at)


def _idle_gets(ctx):
    """As PoolCallsProgram.idleGetNanos: a child's get() of an item put after the queue idled, twice
    after IDLE_MILLIS, then BRIEF_IDLE_GETS times after BRIEF_IDLE_MILLIS."""
    sent, delays = ctx.Queue(), ctx.Queue()
    consumer = ctx.Process(target=_echo_delays, args=(sent, delays, 1 + 2 + BRIEF_IDLE_GETS))
    consumer.start()
    sent.put(time.monotonic_ns())  # untimed, as the Java side's first item
    delays.get()
    measured = []
    for i in range(2 + BRIEF_IDLE_GETS):
        time.sleep((IDLE_MILLIS if i < 2 else BRIEF_IDLE_MILLIS) / 1e3)
        sent.put(time.monotonic_ns())
        measured.append(delays.get())
    consumer.join()
    return measured


def _put_items(q, n, size, started):
    payload = b"x" * size
    started.value = time.monotonic_ns()
    for _ in range(n):
        q.put(payload)


def parent_takes(ctx, n):
    """A child puts n 4 KiB items into a bounded Queue, the parent takes them: seconds from the
    child's first put to the parent's last get (ScaleSection.parentTakes)."""
    q = ctx.Queue(USER_BOUND)
    started = ctx.Value("q", 0)
    p = ctx.Process(target=_put_items, args=(q, n, USER_SIZE, started))
    p.start()
    for i in range(n):
        if len(q.get(timeout=120)) != USER_SIZE:
            raise RuntimeError(f"item {i} is not {USER_SIZE} bytes")
    last = time.monotonic_ns()
    bench_mp._join_all([p])
    return (last - started.value) / 1e9


def _put_structured(q, n, maps, started):
    started.value = time.monotonic_ns()
    for i in range(n):
        q.put({"id": i, "name": "item"} if maps else (i, "item", 1.5))


def parent_takes_structured(ctx, n, maps):
    """A child puts n small tuples or dicts, each made as it is put, into a bounded Queue; the parent
    takes and checks them: seconds from the child's first put to the parent's last get
    (ScaleSection.parentTakesStructured)."""
    q = ctx.Queue(USER_BOUND)
    started = ctx.Value("q", 0)
    p = ctx.Process(target=_put_structured, args=(q, n, maps, started))
    p.start()
    for i in range(n):
        item = q.get(timeout=120)
        if (item["id"] if maps else item[0]) != i:
            raise RuntimeError(f"item {i} is {item!r}")
    last = time.monotonic_ns()
    bench_mp._join_all([p])
    return (last - started.value) / 1e9


def run_program(*args):
    """{name: [values]} printed by this script run as a program of its own."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), *map(str, args)],
                         check=True, stdout=subprocess.PIPE, text=True, timeout=300).stdout
    figures = {}
    for line in out.splitlines():
        if line.strip():
            name, value = line.split("\t")
            figures.setdefault(name, []).append(float(value))
    return figures


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------

def _boots(n, start, with_parent):
    """(median wall ms, CPU ms per process) of n processes started by start() -> pid, one after
    another, each reaped before the next."""
    walls = []
    t0 = os.times()
    for _ in range(n):
        s = time.perf_counter_ns()
        _, status = os.waitpid(start(), 0)
        walls.append((time.perf_counter_ns() - s) / 1e6)
        if status != 0:
            raise RuntimeError(f"a boot exited with status {status}")
    t1 = os.times()
    cpu = t1.children_user - t0.children_user + t1.children_system - t0.children_system
    if with_parent:
        cpu += t1.user - t0.user + t1.system - t0.system
    return statistics.median(walls), cpu * 1e3 / n


def _fork_exit():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    return pid


def _python_pass():
    return os.posix_spawn(sys.executable, [sys.executable, "-c", "pass"], os.environ)


def sec_limits(cfg):
    for method, start, boots, with_parent in (("fork", _fork_exit, FORK_BOOTS, True),
                                              ("spawn", _python_pass, SPAWN_BOOTS, False)):
        n = max(3, boots // cfg["scale_divisor"])
        _boots(1, start, with_parent)   # page cache
        walls, cpus = zip(*(_boots(n, start, with_parent) for _ in range(cfg["reps"])))
        bench_mp.record("limits", BOOT_WALL, method, n, "ms", list(walls))
        bench_mp.record("limits", BOOT_CPU, method, n, "ms", list(cpus))


def _first_line_given(conn, data):
    conn.send(time.monotonic_ns())
    if len(data) != LARGE_TARGET_BYTES:
        raise ValueError(f"the data has {len(data)} bytes")


def _last_line(end):
    end.value = time.monotonic_ns()


def sec_start(cfg):
    data = os.urandom(LARGE_TARGET_BYTES)
    for method in ("fork", "spawn"):
        ctx = mp.get_context(method)
        exits = []
        for _ in range(cfg["start_reps"]):
            end = ctx.Value("q", 0, lock=False)
            p = ctx.Process(target=_last_line, args=(end,))
            p.start()
            p.join()
            exits.append((time.monotonic_ns() - end.value) / 1e3)
            assert p.exitcode == 0, p.exitcode
        bench_mp.record("start", EXIT_WHAT, method, len(exits), "us", exits)
        bench_mp.record("start", EXIT_MEAN_WHAT, method, 1, "us", [statistics.mean(exits)])
        lat = []
        for _ in range(cfg["reps"]):
            a, b = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_first_line_given, args=(b, data))
            t0 = time.monotonic_ns()
            p.start()
            b.close()
            tchild = a.recv()
            p.join()
            a.close()
            assert p.exitcode == 0, p.exitcode
            lat.append((tchild - t0) / 1e3)
        bench_mp.record("start", LARGE_TARGET_WHAT, method, len(lat), "us", lat)


def sec_loop(cfg):
    for method in ("fork", "spawn"):
        medians, means, firsts, first_queues, cpus = [], [], [], [], []
        for _ in range(cfg["program_reps"]):
            figures = run_program("--loop-program", method, ROUNDS)
            rounds = figures["round_us"]
            assert len(rounds) == ROUNDS, rounds
            medians.append(statistics.median(rounds))
            means.append(statistics.mean(rounds))
            firsts.append(rounds[0])
            first_queues.append(figures["first_queue_us"][0])
            cpus.append(figures["round_cpu_us"][0])
        bench_mp.record("loop", LOOP_WHAT, method, ROUNDS, "us", medians)
        bench_mp.record("loop", LOOP_MEAN_WHAT, method, ROUNDS, "us", means)
        bench_mp.record("loop", FIRST_CHILD_WHAT, method, 1, "us", firsts)
        bench_mp.record("loop", FIRST_QUEUE_WHAT, method, 1, "us", first_queues)
        bench_mp.record("loop", LOOP_CPU_WHAT, method, ROUNDS - 1, "us", cpus)


def sec_pool_calls(cfg):
    n = cfg["pool_calls_n"]
    (construct, first, second, task_apply, capturing_apply, function_apply, idle_apply, brief_idle_apply, close,
     first_idle_get, idle_get, brief_idle_get, pool_rounds, queue_rounds, pipe_rounds) = ([] for _ in range(15))
    for _ in range(cfg["program_reps"]):
        f = run_program("--pool-program", FIRST_ITEMS, n, SECOND_REPEATS)
        construct += f["construct_us"]
        first += f["first_per_s"]
        assert len(f["second_per_s"]) == SECOND_REPEATS, f
        second.append(statistics.median(f["second_per_s"]))
        task_apply += f["task_apply_us"]
        capturing_apply += f["capturing_apply_us"]
        function_apply += f["function_apply_us"]
        idle_apply += f["idle_apply_us"]
        brief_idle_apply += f["brief_idle_apply_us"]
        close += f["close_us"]
        first_idle_get += f["first_idle_get_us"]
        idle_get += f["idle_get_us"]
        brief_idle_get += f["brief_idle_get_us"]
        assert len(f["pool_round_us"]) == POOL_ROUNDS, f
        pool_rounds.append(statistics.median(f["pool_round_us"]))
        queue_rounds += f["queue_round_us"]
        pipe_rounds += f["pipe_round_us"]
    bench_mp.record("pool-calls", constructor_name(), "fork", POOL_WORKERS, "us", construct)
    bench_mp.record("pool-calls", first_call_name(), "fork", FIRST_ITEMS, "tasks/s", first)
    bench_mp.record("pool-calls", second_call_name(n), "fork", n, "tasks/s", second)
    bench_mp.record("pool-calls", task_apply_name(), "fork", 1, "us", task_apply)
    bench_mp.record("pool-calls", capturing_apply_name(), "fork", 1, "us", capturing_apply)
    bench_mp.record("pool-calls", function_apply_name(), "fork", 1, "us", function_apply)
    bench_mp.record("pool-calls", idle_apply_name(), "fork", 1, "us", idle_apply)
    bench_mp.record("pool-calls", brief_idle_apply_name(), "fork", 1, "us", brief_idle_apply)
    bench_mp.record("pool-calls", close_name(), "fork", POOL_WORKERS, "us", close)
    bench_mp.record("pool-calls", idle_get_name(True), "fork", 1, "us", first_idle_get)
    bench_mp.record("pool-calls", idle_get_name(False), "fork", 1, "us", idle_get)
    bench_mp.record("pool-calls", brief_idle_get_name(), "fork", 1, "us", brief_idle_get)
    bench_mp.record("pool-calls", pool_rounds_name(), "fork", POOL_WORKERS, "us", pool_rounds)
    bench_mp.record("pool-calls", queue_rounds_name(), "fork", 1, "us", queue_rounds)
    bench_mp.record("pool-calls", pipe_rounds_name(), "fork", 1, "us", pipe_rounds)


class _Bounded:
    """A multiprocessing context whose Queue() holds at most `maxsize` items (0: unbounded), so that
    bench_mp.py's own _tput_once times the bounded cells too (its queue of reports, 2 per process,
    fits any bound)."""

    def __init__(self, ctx, maxsize):
        self._ctx, self._maxsize = ctx, maxsize

    def __getattr__(self, name):
        return getattr(self._ctx, name)

    def Queue(self, maxsize=0):
        return self._ctx.Queue(maxsize or self._maxsize)


def sec_scale(cfg):
    ctx = mp.get_context("fork")
    for size in SIZES:
        for processes in PROCESSES:
            n = items(size) // cfg["scale_divisor"]
            per_s, mb_s = [], []
            for _ in range(cfg["scale_reps"]):
                sent, seconds = bench_mp._tput_once(_Bounded(ctx, bound(size)), "Queue", processes, processes,
                                                    n, size, "obj")
                per_s.append(sent / seconds)
                mb_s.append(sent * size / seconds / 1e6)
            bench_mp.record("scale", queue_name(processes, size), "fork", n, "msg/s", per_s)
            bench_mp.record("scale", queue_name(processes, size), "fork", n, "MB/s", mb_s)
    n = USER_ITEMS // cfg["scale_divisor"]
    seconds = [parent_takes(ctx, n) for _ in range(cfg["scale_reps"])]
    bench_mp.record("scale", parent_takes_name(n), "fork", n, "msg/s", [n / s for s in seconds])
    bench_mp.record("scale", parent_takes_name(n), "fork", n, "MB/s", [n * USER_SIZE / s / 1e6 for s in seconds])
    n = STRUCTURED_ITEMS // cfg["scale_divisor"]
    for maps in (False, True):
        seconds = [parent_takes_structured(ctx, n, maps) for _ in range(cfg["scale_reps"])]
        bench_mp.record("scale", structured_name(maps, n), "fork", n, "msg/s", [n / s for s in seconds])
    ints = LIST_INTS // cfg["scale_divisor"]
    bench_mp.record("scale", large_list_name(ints), "fork", ints, "ms",
                    [large_list_to_a_child(ctx, ints) for _ in range(cfg["scale_reps"])])
    n = cfg["pool_calls_n"]
    inputs = list(range(n))
    for workers in PROCESSES:
        vals = []
        with ctx.Pool(workers) as pool:
            pool.map(bench_mp._sq, range(1000))      # workers running
            pool.map(bench_mp._sq, inputs)           # the first call, untimed as on the Java side
            for _ in range(cfg["scale_reps"]):
                t0 = time.perf_counter_ns()
                r = pool.map(bench_mp._sq, inputs)
                vals.append(n / ((time.perf_counter_ns() - t0) / 1e9))
                assert len(r) == n and r[-1] == (n - 1) ** 2
        bench_mp.record("scale", pool_name(workers, n), "fork", n, "tasks/s", vals)
    n = POOL_OF_RECORDS_ITEMS // cfg["scale_divisor"]
    orders = [(i, f"item{i % 10}", 1.5) for i in range(n)]
    vals = []
    with ctx.Pool(POOL_OF_RECORDS_WORKERS) as pool:
        pool.map(_price, orders[:1000])              # workers running
        pool.map(_price, orders)                     # the first call, untimed as on the Java side
        for _ in range(cfg["scale_reps"]):
            t0 = time.perf_counter_ns()
            r = pool.map(_price, orders)
            vals.append(n / ((time.perf_counter_ns() - t0) / 1e9))
            assert len(r) == n and r[-1] == (n - 1, 3.0)
    bench_mp.record("scale", pool_of_records_name(n), "fork", n, "tasks/s", vals)
    tasks = [UNEVEN_LONG_MS] + [UNEVEN_SHORT_MS] * UNEVEN_SHORTS
    vals, all_done = [], []
    with ctx.Pool(2) as pool:
        pool.map(_sleep_ms, [0, 0], 1)               # workers running
        for _ in range(cfg["scale_reps"]):
            t0 = time.perf_counter_ns()
            r = pool.map(_sleep_ms, tasks, 1)
            vals.append((time.perf_counter_ns() - t0) / 1e6)
            assert r == tasks
        for _ in range(cfg["scale_reps"]):
            t0 = time.perf_counter_ns()
            jobs = [pool.apply_async(_sleep_ms, (UNEVEN_LONG_MS,))]
            jobs += [pool.apply_async(_sleep_ms, (SUBMITTED_SHORT_MS,)) for _ in range(SUBMITTED_SHORTS)]
            slept = sum(job.get() for job in jobs)
            all_done.append((time.perf_counter_ns() - t0) / 1e6)
            assert slept == UNEVEN_LONG_MS + SUBMITTED_SHORTS * SUBMITTED_SHORT_MS
    bench_mp.record("scale", uneven_name(), "fork", len(tasks), "ms", vals)
    bench_mp.record("scale", submitted_uneven_name(), "fork", 1 + SUBMITTED_SHORTS, "ms", all_done)
    megabytes = LARGE_ITEMS * LARGE_SIZE / 1e6
    arguments, returned = [], []
    with ctx.Pool(2) as pool:
        arrays = [bytes(LARGE_SIZE) for _ in range(LARGE_ITEMS)]   # made once the pool runs, as its data comes
        pool.map(len, arrays, 1)                     # the workers running, and the first call of each
        pool.map(_large_array, range(LARGE_ITEMS), 1)
        for _ in range(cfg["scale_reps"]):
            t0 = time.perf_counter_ns()
            lengths = pool.map(len, arrays, 1)
            t1 = time.perf_counter_ns()
            made = pool.map(_large_array, range(LARGE_ITEMS), 1)
            t2 = time.perf_counter_ns()
            arguments.append(megabytes / ((t1 - t0) / 1e9))
            returned.append(megabytes / ((t2 - t1) / 1e9))
            assert lengths == [LARGE_SIZE] * LARGE_ITEMS and [len(a) for a in made] == [LARGE_SIZE] * LARGE_ITEMS
    bench_mp.record("scale", large_arguments_name(), "fork", LARGE_ITEMS, "MB/s", arguments)
    bench_mp.record("scale", large_results_name(), "fork", LARGE_ITEMS, "MB/s", returned)


SECTIONS = [("limits", sec_limits), ("start", sec_start), ("loop", sec_loop), ("pool-calls", sec_pool_calls), ("scale", sec_scale)]


def main(argv):
    if argv and argv[0] == "--loop-program":
        loop_program(argv[1], int(argv[2]))
        return
    if argv and argv[0] == "--pool-program":
        pool_program(int(argv[1]), int(argv[2]), int(argv[3]))
        return
    quick = "--quick" in argv
    cfg = dict(QUICK if quick else FULL)
    only = set(argv[argv.index("--only") + 1].split(",")) if "--only" in argv else None
    json_path = argv[argv.index("--json") + 1] if "--json" in argv else None
    unknown = (only or set()) - {name for name, _ in SECTIONS}
    if unknown:
        sys.exit(f"user_patterns.py: unknown section(s) {sorted(unknown)}")
    foreign, section_s = {}, {}
    for name, fn in SECTIONS:
        if only is not None and name not in only:
            continue
        waited, load = bench_mp.wait_quiet(0 if quick else 20)
        print(f"[section {name}] waited {waited:.0f} s for a quiet machine, foreign load {load:.2f}",
              file=sys.stderr, flush=True)
        c0 = bench_mp.cpu_snapshot()
        fn(cfg)
        c1 = bench_mp.cpu_snapshot()
        foreign[name] = bench_mp.foreign_load(c0, c1)
        section_s[name] = c1[0] - c0[0]
    many_procs.write_json(dict(cfg=cfg, section_s=section_s, foreign_cpus=foreign, results=bench_mp.RESULTS),
                          json_path)


if __name__ == "__main__":
    main(sys.argv[1:])
