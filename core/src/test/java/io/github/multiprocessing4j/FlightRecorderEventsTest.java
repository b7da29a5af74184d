package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.events.LockTakeoverEvent;
import io.github.multiprocessing4j.internal.events.LockWaitEvent;
import io.github.multiprocessing4j.internal.events.PoolTaskEvent;
import io.github.multiprocessing4j.internal.events.PoolWorkerDeathEvent;
import io.github.multiprocessing4j.internal.events.ProcessExitEvent;
import io.github.multiprocessing4j.internal.events.ProcessStartEvent;
import io.github.multiprocessing4j.internal.events.QueuePutBlockedEvent;
import io.github.multiprocessing4j.internal.events.SemaphoreReclaimEvent;
import io.github.multiprocessing4j.internal.events.SemaphoreWaitEvent;
import io.github.multiprocessing4j.internal.runtime.RuntimeContext;
import io.github.multiprocessing4j.testing.SharedObjects;
import io.github.multiprocessing4j.testing.TestFiles;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Recording;
import jdk.jfr.SettingDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The library's Flight Recorder events, recorded in this JVM (a {@link Recording} with the
 * events' default settings, dumped to a file and read back) while real child processes start,
 * end, hold locks, drain queues and run pool tasks. Every wait that must exceed the 10 ms
 * threshold is made long on purpose: the thread that ends it first sees the waiter parked.
 */
class FlightRecorderEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** How long a wait lasts at least once the waiter is parked: ten times the default threshold. */
    private static final long HOLD_MILLIS = 100;

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();
    @TempDir
    Path dir;

    private final List<ChildProcess> children = new ArrayList<>();
    private final List<ProcessPool> pools = new ArrayList<>();

    @AfterEach
    void endChildrenAndPools() throws Exception {
        for (ProcessPool p : pools) {
            p.terminate();
        }
        for (ChildProcess c : children) {
            c.kill();
            c.join();
        }
        Multiprocessing.discardSpares();
    }

    @Test
    void everyEventIsInTheLibrarysCategoryAndTheWaitsHaveATenMillisecondThreshold() {
        List<Class<? extends Event>> all = List.of(ProcessStartEvent.class, ProcessExitEvent.class, LockWaitEvent.class,
                LockTakeoverEvent.class, SemaphoreWaitEvent.class, SemaphoreReclaimEvent.class,
                QueuePutBlockedEvent.class, PoolTaskEvent.class, PoolWorkerDeathEvent.class);
        for (Class<? extends Event> type : all) {
            EventType eventType = EventType.getEventType(type);
            assertThat(eventType.getName()).startsWith("io.github.multiprocessing4j.");
            assertThat(eventType.getCategoryNames()).first().isEqualTo("multiprocessing4j");
            assertThat(eventType.getDescription()).isNotBlank();
            assertThat(eventType.getFields()).allSatisfy(field -> assertThat(field.getLabel()).isNotBlank());
        }
        for (Class<? extends Event> wait : List.of(LockWaitEvent.class, SemaphoreWaitEvent.class, QueuePutBlockedEvent.class)) {
            assertThat(defaultThreshold(EventType.getEventType(wait))).as(wait.getSimpleName()).isEqualTo("10 ms");
        }
    }

    /**
     * The first event class a JVM loads makes JFR load its metadata: up to a second. A child that
     * never starts JFR waits for a lock, a permit and room in a queue, and runs a pool (which
     * starts a worker): its class-loading log shows no event class and none of JFR's internals.
     */
    @Test
    void aJvmThatDoesNotRecordLoadsNoEventClassOnItsSlowPaths() throws Exception {
        Path classLog = dir.resolve("classes.log");
        ChildProcess child = track(ChildProcess.builder(FlightRecorderEventsTest::waitAndRunAPool)
                .jvmArgs("-Xlog:class+load=info:file=" + classLog).startMethod(StartMethod.COLD).build());
        child.start();
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);

        List<String> loaded = Files.readAllLines(classLog);
        assertThat(loaded).anyMatch(line -> line.contains(" io.github.multiprocessing4j.internal.events.FlightEvents "));
        assertThat(loaded).noneMatch(line -> line.contains(" io.github.multiprocessing4j.internal.events.")
                && !line.contains(".FlightEvents ") || line.contains(" jdk.jfr.internal."));
    }

    /** In a child: a wait for a lock, a permit and room in a queue, each held by another thread for 50 ms; a pool task. */
    private static void waitAndRunAPool() {
        try (ProcessLock lock = new ProcessLock(); ProcessSemaphore permits = new ProcessSemaphore(0);
             ProcessQueue<Integer> queue = new ProcessQueue<>(1)) {
            queue.put(0);
            CountDownLatch holding = new CountDownLatch(1);
            Thread other = new Thread(() -> {
                lock.acquire();
                holding.countDown();
                try {
                    Thread.sleep(50);
                    lock.release();
                    Thread.sleep(50);
                    permits.release();
                    Thread.sleep(50);
                    queue.get();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            other.start();
            holding.await();
            lock.acquire(); // the other thread releases it 50 ms later
            lock.release();
            permits.acquire();
            queue.put(1);
            other.join();
            queue.get(); // empty: closing it removes its segments
            try (ProcessPool pool = new ProcessPool(1)) {
                if (pool.submit(() -> 42).get() != 42) {
                    throw new IllegalStateException("wrong answer");
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aChildsStartAndExitCarryItsPidStartMethodBootTimeAndExitCode() throws Exception {
        ChildProcess exits3 = track(ChildProcess.builder(() -> System.exit(3)).name("exits-3")
                .startMethod(StartMethod.COLD).build());

        List<RecordedEvent> events = record(() -> {
            exits3.start();
            assertThat(exits3.join(WAIT)).isTrue();
        }, ProcessStartEvent.NAME, ProcessExitEvent.NAME);

        RecordedEvent start = only(events, ProcessStartEvent.NAME, exits3.pid());
        assertThat(start.getString("name")).isEqualTo("exits-3");
        assertThat(start.getString("startMethod")).isEqualTo("cold");
        assertThat(start.getBoolean("spare")).isFalse();
        assertThat(start.getBoolean("daemon")).isFalse();
        assertThat(start.getBoolean("booted")).isTrue();
        assertThat(start.getDuration("launchTime")).isPositive().isLessThanOrEqualTo(start.getDuration());
        RecordedEvent exit = only(events, ProcessExitEvent.NAME, exits3.pid());
        assertThat(exit.getInt("exitCode")).isEqualTo(3);
        assertThat(exit.getString("name")).isEqualTo("exits-3");
        assertThat(exit.getBoolean("booted")).isTrue();
        assertThat(exit.getInt("signalSent")).isZero();
        assertThat(exit.getString("failure")).isNull();
        assertThat(exit.getDuration("lifetime")).isGreaterThanOrEqualTo(start.getDuration());
    }

    @Test
    void aWarmStartThatTookASpareAndAKilledDaemonAreRecordedAsSuch() throws Exception {
        ChildProcess first = track(ChildProcess.builder(() -> { }).startMethod(StartMethod.WARM).build());
        first.start();
        assertThat(first.join(WAIT)).isTrue();
        TestFiles.awaitCondition(() -> RuntimeContext.get().spares().readyCount() == 1, WAIT, "a spare JVM");
        ProcessEvent started = shared.track(new ProcessEvent());
        ChildProcess warm = track(ChildProcess.builder(() -> {
            started.set();
            sleepForever();
        }).name("warm-daemon").daemon(true).startMethod(StartMethod.WARM).build());

        List<RecordedEvent> events = record(() -> {
            warm.start();
            assertThat(started.await(WAIT)).isTrue();
            warm.kill();
            warm.join();
        }, ProcessStartEvent.NAME, ProcessExitEvent.NAME);

        RecordedEvent start = only(events, ProcessStartEvent.NAME, warm.pid());
        assertThat(start.getString("startMethod")).isEqualTo("warm");
        assertThat(start.getBoolean("spare")).isTrue();
        assertThat(start.getBoolean("daemon")).isTrue();
        RecordedEvent exit = only(events, ProcessExitEvent.NAME, warm.pid());
        assertThat(exit.getInt("exitCode")).isEqualTo(-9);
        assertThat(exit.getInt("signalSent")).isEqualTo(9);
        assertThat(exit.getBoolean("daemon")).isTrue();
    }

    @Test
    void aLockWaitOverTheThresholdNamesTheLockAndTheChildThatHeldIt() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessEvent holding = shared.track(new ProcessEvent());
        ProcessEvent release = shared.track(new ProcessEvent());
        ChildProcess holder = track(new ChildProcess(() -> {
            lock.acquire();
            holding.set();
            awaitQuietly(release);
            lock.release();
        }));
        holder.start();
        assertThat(holding.await(WAIT)).isTrue();

        List<RecordedEvent> events = record(() -> {
            Thread releaser = endWhenParked(Thread.currentThread(), release::set);
            lock.acquire();
            lock.release();
            releaser.join();
        }, LockWaitEvent.NAME);

        RecordedEvent wait = only(events, LockWaitEvent.NAME);
        assertThat(lock.toString()).contains(wait.getString("lock"));
        assertThat(wait.getLong("ownerPid")).isEqualTo(holder.pid());
        assertThat(wait.getBoolean("acquired")).isTrue();
        assertThat(wait.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(HOLD_MILLIS));
        assertThat(wait.getThread().getJavaName()).isEqualTo(Thread.currentThread().getName());
        assertThat(wait.getStackTrace().getFrames()).anySatisfy(frame ->
                assertThat(frame.getMethod().getType().getName()).isEqualTo(FlightRecorderEventsTest.class.getName()));
        holder.join();
    }

    @Test
    void aLockAndASemaphoreOfAKilledHolderAreTakenOverAndTheirWaitsRecorded() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessSemaphore semaphore = shared.track(new ProcessSemaphore(1));
        ProcessEvent holding = shared.track(new ProcessEvent());
        ChildProcess holder = track(new ChildProcess(() -> {
            lock.acquire();
            try {
                semaphore.acquire();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            holding.set();
            sleepForever();
        }));
        holder.start();
        assertThat(holding.await(WAIT)).isTrue();

        List<RecordedEvent> events = record(() -> {
            Thread killer = endWhenParked(Thread.currentThread(), holder::kill);
            lock.acquire(); // taken over once the holder is dead
            killer.join();
            assertThat(semaphore.acquire(WAIT)).isTrue(); // its permit comes back
            semaphore.release();
            lock.release();
        }, LockWaitEvent.NAME, LockTakeoverEvent.NAME, SemaphoreWaitEvent.NAME, SemaphoreReclaimEvent.NAME);

        RecordedEvent takeover = only(events, LockTakeoverEvent.NAME);
        assertThat(lock.toString()).contains(takeover.getString("lock"));
        assertThat(takeover.getLong("deadOwnerPid")).isEqualTo(holder.pid());
        RecordedEvent lockWait = only(events, LockWaitEvent.NAME);
        assertThat(lockWait.getBoolean("acquired")).isTrue();
        assertThat(lockWait.getLong("ownerPid")).isEqualTo(holder.pid());
        RecordedEvent reclaim = only(events, SemaphoreReclaimEvent.NAME);
        assertThat(semaphore.toString()).contains(reclaim.getString("semaphore"));
        assertThat(reclaim.getLong("deadHolderPid")).isEqualTo(holder.pid());
        assertThat(reclaim.getLong("permits")).isEqualTo(1);
        RecordedEvent semaphoreWait = only(events, SemaphoreWaitEvent.NAME);
        assertThat(semaphoreWait.getBoolean("acquired")).isTrue();
        assertThat(semaphoreWait.getString("semaphore")).isEqualTo(reclaim.getString("semaphore"));
    }

    @Test
    void aPutThatWaitedForRoomInAFullQueueIsRecordedAndOneWithRoomIsNot() throws Exception {
        ProcessQueue<Integer> queue = shared.track(new ProcessQueue<>(1));
        ProcessEvent take = shared.track(new ProcessEvent());
        ChildProcess consumer = track(new ChildProcess(() -> {
            awaitQuietly(take);
            try {
                queue.get();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        consumer.start();

        List<RecordedEvent> events = record(() -> {
            queue.put(1); // room: no event
            Thread taker = endWhenParked(Thread.currentThread(), take::set);
            queue.put(2); // full until the child takes 1
            taker.join();
        }, QueuePutBlockedEvent.NAME);

        RecordedEvent blocked = only(events, QueuePutBlockedEvent.NAME);
        assertThat(blocked.getString("queue")).startsWith("queue");
        assertThat(blocked.getLong("maxSize")).isEqualTo(1);
        assertThat(blocked.getBoolean("put")).isTrue();
        assertThat(blocked.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(HOLD_MILLIS));
        assertThat(consumer.join(WAIT)).isTrue();
        assertThat(queue.get(WAIT)).isEqualTo(2);
    }

    @Test
    void poolTasksCarryTheirWorkerAndOutcomeAndAKilledWorkerIsRecorded() throws Exception {
        ProcessPool pool = track(new ProcessPool(2));
        ProcessQueue<Long> running = shared.track(new ProcessQueue<>());
        ProcessEvent never = shared.track(new ProcessEvent());
        List<Integer> items = IntStream.range(0, 100).boxed().collect(Collectors.toList());

        List<RecordedEvent> events = record(() -> {
            assertThat(pool.submit(() -> 42).get()).isEqualTo(42);
            assertThat(pool.map(x -> x * x, items, 10)).hasSize(100);
            Future<Object> fails = pool.submit(() -> {
                throw new IllegalStateException("boom");
            });
            assertThatThrownBy(fails::get).isInstanceOf(ExecutionException.class);
            Future<Long> victim = pool.submit(() -> {
                long pid = ProcessHandle.current().pid();
                running.put(pid);
                never.await();
                return pid;
            });
            long pid = running.get(WAIT);
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            assertThatThrownBy(victim::get).cause().isInstanceOf(WorkerDiedException.class);
        }, PoolTaskEvent.NAME, PoolWorkerDeathEvent.NAME);

        List<RecordedEvent> tasks = all(events, PoolTaskEvent.NAME);
        assertThat(tasks).filteredOn(e -> e.getString("kind").equals("map")).hasSize(10).allSatisfy(e -> {
            assertThat(e.getInt("tasks")).isEqualTo(10);
            assertThat(e.getString("outcome")).isEqualTo("completed");
            assertThat(e.getLong("workerPid")).isPositive();
        });
        List<RecordedEvent> single = tasks.stream().filter(e -> e.getString("kind").equals("task")).collect(Collectors.toList());
        assertThat(single).extracting(e -> e.getString("outcome")).containsExactly("completed", "failed", "worker died");
        assertThat(single.get(1).getInt("failedTasks")).isEqualTo(1);
        RecordedEvent death = only(events, PoolWorkerDeathEvent.NAME);
        long victimPid = death.getLong("pid");
        assertThat(single.get(2).getLong("workerPid")).isEqualTo(victimPid);
        assertThat(death.getInt("exitCode")).isEqualTo(-9);
        assertThat(death.getBoolean("ready")).isTrue();
        assertThat(death.getInt("tasksLost")).isEqualTo(1);
        assertThat(death.getString("name")).startsWith("PoolWorker-");
    }

    /** Each JVM records its own events: a child given JFR options (as docs/OBSERVABILITY.md says) records its wait. */
    @Test
    void aChildStartedWithARecordingRecordsItsOwnLockWait() throws Exception {
        Path recordings = Files.createDirectory(dir.resolve("recordings"));
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessEvent aboutToWait = shared.track(new ProcessEvent());
        ChildProcess child = track(ChildProcess.builder(() -> {
            aboutToWait.set();
            lock.acquire();
            lock.release();
        }).jvmArgs("-XX:StartFlightRecording:filename=" + recordings + "/", "-Xlog:jfr+startup=error")
                .startMethod(StartMethod.COLD).build());
        lock.acquire();
        child.start();
        assertThat(aboutToWait.await(WAIT)).isTrue();
        Thread.sleep(10 * HOLD_MILLIS);
        lock.release();
        assertThat(child.join(WAIT)).isTrue();
        assertThat(child.exitCode()).hasValue(0);

        List<Path> files;
        try (var listing = Files.list(recordings)) {
            files = listing.collect(Collectors.toList());
        }
        assertThat(files).singleElement().satisfies(file -> assertThat(file.getFileName().toString())
                .contains("pid-" + child.pid()));
        RecordedEvent wait = only(RecordingFile.readAllEvents(files.get(0)), LockWaitEvent.NAME);
        assertThat(wait.getLong("ownerPid")).isEqualTo(ProcessHandle.current().pid());
        assertThat(wait.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(HOLD_MILLIS));
    }

    // ---------------------------------------------------------------- helpers

    /** Work done while a recording runs. */
    private interface Work {
        void run() throws Exception;
    }

    /** @return the events {@code work} made, of the types named, each with its default settings */
    private List<RecordedEvent> record(Work work, String... eventNames) throws Exception {
        Path file = dir.resolve("recording.jfr");
        try (Recording recording = new Recording()) {
            for (String name : eventNames) {
                recording.enable(name);
            }
            recording.start();
            work.run();
            recording.stop();
            recording.dump(file);
        }
        return RecordingFile.readAllEvents(file);
    }

    private static List<RecordedEvent> all(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name))
                .sorted((a, b) -> a.getEndTime().compareTo(b.getEndTime())).collect(Collectors.toList());
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> found = all(events, name);
        assertThat(found).as(name + " in " + events).hasSize(1);
        return found.get(0);
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name, long pid) {
        List<RecordedEvent> found = all(events, name).stream().filter(e -> e.getLong("pid") == pid)
                .collect(Collectors.toList());
        assertThat(found).as(name + " of pid " + pid + " in " + events).hasSize(1);
        return found.get(0);
    }

    private static String defaultThreshold(EventType type) {
        for (SettingDescriptor setting : type.getSettingDescriptors()) {
            if (setting.getName().equals("threshold")) {
                return setting.getDefaultValue();
            }
        }
        return null;
    }

    private ChildProcess track(ChildProcess child) {
        children.add(child);
        return child;
    }

    private ProcessPool track(ProcessPool pool) {
        pools.add(pool);
        return pool;
    }

    /**
     * Starts a thread that runs {@code end} {@link #HOLD_MILLIS} after {@code waiter} is seen
     * parked (a wait of the library parks between its looks), so that the wait it ends lasts
     * that long at least, however loaded the machine.
     */
    private static Thread endWhenParked(Thread waiter, Runnable end) {
        Thread thread = new Thread(() -> {
            TestFiles.awaitCondition(() -> waiter.getState() == Thread.State.TIMED_WAITING, WAIT, "the waiter parked");
            try {
                Thread.sleep(HOLD_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            end.run();
        }, "ends-the-wait");
        thread.start();
        return thread;
    }

    private static void awaitQuietly(ProcessEvent event) {
        try {
            event.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
