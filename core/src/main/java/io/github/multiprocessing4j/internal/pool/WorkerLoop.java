package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.serial.ValueSection;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.internal.sync.Wait;

import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/**
 * What a pool worker process runs: the initializer, then chunks from its inbox until the inbox
 * is closed or it has run its quota of chunks ({@code maxTasksPerChild}).
 *
 * <p>Implementation notes. The worker reads its inbox in order and answers each chunk with one
 * message on the shared result channel (answers of small chunks travel together, see
 * {@link Outbox}), so the parent, which alone writes the inbox, always knows which chunks a
 * worker holds: those it sent and has no answer for.
 *
 * <p>A chunk's tasks run one at a time from its bytes: the worker reads an argument, applies the
 * function and writes the result into the answer before it reads the next argument
 * ({@link ValueSection.Decoder}, {@link PoolMessages.ResultsWriter}), so that no boxed argument or
 * result outlives its task; measured in a 2-worker {@code map} of a million ints, the workers' CPU
 * for a warm call fell from 110-190 ms to 40-100 ms, most of it young collections that no longer
 * copy a chunk's boxes.
 *
 * <p>A task's exception is that task's result, and the worker goes on. An
 * {@link OutOfMemoryError} ends the worker at once (exit code 3, as
 * {@code -XX:+ExitOnOutOfMemoryError} would), since nothing in the JVM can be trusted after it,
 * and the parent fails the chunks it held. The worker's JVM gets no option of the pool's own for
 * that, so that workers are plain children: a warm spare can become one.
 *
 * <p>Functions of map calls arrive once per worker ({@link PoolMessages#DEFINE}) and are kept in
 * a small LRU cache, whose contents the parent mirrors by doing the same operations in the same
 * order. The callers' functions and runnables are run through the pool's {@link TaskInvoker}.
 *
 * <p>Stopping a chunk ({@link TaskStopper} in the parent): a thread of the worker's own reads its
 * control channel and interrupts the thread that runs the chunk it names ({@link RunningChunk});
 * a chunk it names that has not started is skipped (a chunk starts only once that thread has
 * handled every control message put before: {@link #awaitControlPutBefore}). The same thread
 * gives back a chunk the parent asks for ({@link PoolMessages#RELEASE}: a free worker is to run
 * it) if it has not started, and then the chunk is skipped unanswered. The interrupt status never outlives its
 * chunk. A chunk with a time limit is announced ({@link PoolMessages#STARTED}) when it starts,
 * after the answers waiting in the outbox, and the answer of a timed or interrupted chunk is sent
 * at once: so when the parent kills a worker that did not stop a chunk in time, every other chunk
 * it held has either been answered or never started, and can go to another worker. With
 * {@code maxMemoryPerChild}, the worker reads its resident memory after each chunk and, past the
 * limit, sends its answers, says so ({@link PoolMessages#OVER_MEMORY}) and ends.
 */
public final class WorkerLoop implements Runnable, Serializable {
    private static final long serialVersionUID = 1L;
    /** Functions a worker keeps; the parent's mirror ({@link WorkerHandle}) uses the same bound. */
    static final int FUNCTION_CACHE = 8;
    /** The longest a chunk's start waits for the control thread to handle what was put before it. */
    private static final long CONTROL_WAIT_NANOS = 1_000_000_000;
    /** The exit code of a worker that ran out of memory, as with {@code -XX:+ExitOnOutOfMemoryError}. */
    static final int OUT_OF_MEMORY_EXIT = 3;

    private final int worker;
    private final MessageChannel inbox;
    private final MessageChannel results;
    private final Serializable initializer;
    private final int maxTasks;
    private final TaskInvoker invoker;
    /**
     * Where the parent asks for a chunk to be interrupted or given back: the worker's own, in
     * shared memory, from its start; null for none (a backend's worker).
     */
    private final SharedMessageChannel control;
    /** The resident bytes past which the worker ends after a chunk; 0 for no limit. */
    private final long maxMemory;

    WorkerLoop(int worker, MessageChannel inbox, MessageChannel results, Serializable initializer, int maxTasks,
               TaskInvoker invoker, MessageChannel control, long maxMemory) {
        this.worker = worker;
        this.control = control == null ? null : shared(control);
        this.maxMemory = maxMemory;
        this.inbox = inbox;
        this.results = results;
        this.initializer = initializer;
        this.maxTasks = maxTasks;
        this.invoker = invoker;
    }

    /**
     * The loop of a worker on this machine as bytes, without JDK serialization (whose first
     * stream costs a new JVM tens of milliseconds, on both sides): its numbers and the names of
     * its shared-memory channels. The initializer and the invoker are not in them: the launcher
     * sends the initializer as a value of its own and knows the invoker.
     *
     * <pre>
     *  int worker | int maxTasks | long maxMemory | inbox | results | boolean control | [control]
     *  (each channel as {@link SharedMessageChannel#writeTo} writes it)
     * </pre>
     *
     * @throws IllegalStateException when a channel is not in shared memory (a backend's worker,
     *     which its backend runs from JDK serialization)
     */
    public byte[] localSpec() {
        Wire.Writer out = new Wire.Writer(256).putInt(worker).putInt(maxTasks).putLong(maxMemory);
        shared(inbox).writeTo(out);
        shared(results).writeTo(out);
        out.putBoolean(control != null);
        if (control != null) {
            control.writeTo(out);
        }
        return out.toByteArray();
    }

    private static SharedMessageChannel shared(MessageChannel channel) {
        if (channel instanceof SharedMessageChannel shared) {
            return shared;
        }
        throw new IllegalStateException("not a channel in shared memory: " + channel.getClass().getName());
    }

    /**
     * @param spec what {@link #localSpec} gave in the pool's process
     * @param initializer the pool's initializer, or null
     * @param invoker how the callers' functions and runnables are run
     * @return the worker's loop
     * @throws IllegalStateException when a channel no longer exists (the pool was closed)
     */
    public static WorkerLoop fromLocalSpec(byte[] spec, Serializable initializer, TaskInvoker invoker) {
        Wire.Reader in = new Wire.Reader(spec);
        int worker = in.getInt();
        int maxTasks = in.getInt();
        long maxMemory = in.getLong();
        SharedMessageChannel inbox = SharedMessageChannel.readFrom(in);
        SharedMessageChannel results = SharedMessageChannel.readFrom(in);
        SharedMessageChannel control = in.getBoolean() ? SharedMessageChannel.readFrom(in) : null;
        return new WorkerLoop(worker, inbox, results, initializer, maxTasks, invoker, control, maxMemory);
    }

    /** @return the pool's initializer, or null */
    public Serializable initializer() {
        return initializer;
    }

    /** @return how the callers' functions and runnables are run */
    public TaskInvoker invoker() {
        return invoker;
    }

    @Override
    public void run() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = WorkerLoop.class.getClassLoader();
        }
        if (results instanceof BackendChannel) {
            // Messages come over a network: what the backend's worker set as the JVM-wide filter
            // also checks the capturing classes of lambdas, which no stream names.
            Serialization.filterThisThread(ObjectInputFilter.Config.getSerialFilter());
        }
        if (initializer != null) {
            try {
                invoker.run(initializer);
            } catch (Throwable failure) {
                results.put(PoolMessages.initFailed(worker, failure));
                return;
            }
        }
        results.put(PoolMessages.ready(worker));
        Map<Long, Object> functions = lruCache(FUNCTION_CACHE);
        Outbox outbox = new Outbox(results);
        RunningChunk running = new RunningChunk(Thread.currentThread());
        if (control != null) {
            watchControl(running, outbox);
        }
        int done = 0;
        try {
            while (maxTasks <= 0 || done < maxTasks) {
                Wire.Reader message = outbox.isEmpty() ? inbox.take() : inbox.poll();
                if (message == null) {
                    if (outbox.isEmpty()) {
                        return; // the inbox is closed and empty: the pool is stopping
                    }
                    outbox.flush(); // nothing to run now: send what is done
                    continue;
                }
                for (Wire.Reader in : PoolMessages.parts(message)) {
                    byte kind = in.getByte();
                    if (kind == PoolMessages.DEFINE) {
                        long id = in.getLong();
                        functions.put(id, readFunction(in.rest(), loader));
                    } else if (kind == PoolMessages.WARM_UP) {
                        outbox.flush(); // the answers first: starting the warm-up's thread takes a moment
                        invoker.warmUp();
                    } else {
                        outbox.beforeChunk();
                        runChunk(in, functions, loader, running, outbox);
                        done++;
                        if (overMemory(outbox)) {
                            return; // its other chunks go to other workers
                        }
                    }
                }
            }
            outbox.flush();
        } catch (OutOfMemoryError e) {
            outOfMemory(e); // reading or writing a message
        }
    }

    /** Runs a chunk and puts its answer (its results, or why it could not be run) into the outbox. */
    private void runChunk(Wire.Reader in, Map<Long, Object> functions, ClassLoader loader, RunningChunk running,
                          Outbox outbox) {
        long start = System.nanoTime();
        long chunkId = in.getLong();
        byte mode = in.getByte();
        boolean timed = (mode & PoolMessages.REPORT_START) != 0;
        mode &= ~PoolMessages.REPORT_START;
        awaitControlPutBefore(running);
        int admitted = running.start(chunkId);
        if (admitted == RunningChunk.RELEASED) {
            return; // given back before it started (RELEASED went out): a free worker runs it
        }
        if (admitted == RunningChunk.CANCELLED) {
            outbox.add(PoolMessages.chunkFailed(worker, chunkId, new CancellationException("cancelled before it started")),
                    start);
            return;
        }
        if (timed) {
            outbox.send(PoolMessages.workerNote(PoolMessages.STARTED, worker, chunkId));
        }
        Object answer;
        boolean interrupted;
        try {
            answer = answer(in, chunkId, mode, functions, loader);
        } finally {
            interrupted = running.end();
        }
        if (answer != null) {
            try {
                results.checkMessageFits("the chunk's results", PoolMessages.lengthOf(answer));
            } catch (IllegalArgumentException tooLarge) {
                answer = PoolMessages.chunkFailed(worker, chunkId, tooLarge); // the caller learns why; the worker goes on
            }
        }
        outbox.add(answer, start);
        if (timed || interrupted) {
            outbox.flush(); // at once: see the class comment
        }
    }

    /**
     * Reads each argument, applies the function to it and writes its result before the next one
     * (see {@link ValueSection}): no boxed argument or result outlives its task.
     *
     * @return the answer to the chunk: its results, or why it could not be run (a {@code byte[]}
     *     or a {@link Wire.Spliced} message)
     */
    private Object answer(Wire.Reader in, long chunkId, byte mode, Map<Long, Object> functions, ClassLoader loader) {
        long functionId = in.getLong();
        int inline = in.getInt();
        Object function;
        ValueSection.Decoder args = null;
        try {
            function = inline > 0 ? readFunction(in.getBytes(inline), loader) : functions.get(functionId);
            if (function instanceof Throwable) {
                throw (Throwable) function;
            }
            if (function == null) {
                throw new IllegalStateException("function " + functionId + " was not defined in this worker");
            }
            if (mode == PoolMessages.APPLY) {
                try {
                    args = ValueSection.decoder(in, loader); // reads the objects among them, if any
                } catch (RuntimeException | LinkageError e) {
                    throw unreadable("the task's arguments", e);
                }
            }
        } catch (OutOfMemoryError e) {
            outOfMemory(e);
            return null;
        } catch (Throwable unreadable) {
            return PoolMessages.chunkFailed(worker, chunkId, unreadable);
        }
        int count = args == null ? 1 : args.count();
        PoolMessages.ResultsWriter results = new PoolMessages.ResultsWriter(worker, chunkId, count);
        for (int i = 0; i < count; i++) {
            Object arg = null;
            if (args != null) {
                try {
                    arg = args.next();
                } catch (RuntimeException | LinkageError damaged) {
                    // Only damaged bytes get here (the objects were read above): the chunk fails as a
                    // whole, as when its start is damaged, though the tasks before this one have run.
                    return PoolMessages.chunkFailed(worker, chunkId, unreadable("the task's arguments", damaged));
                }
            }
            Object value;
            try {
                value = invoke(function, mode, arg);
            } catch (OutOfMemoryError e) {
                outOfMemory(e);
                return null;
            } catch (Throwable failure) {
                results.addFailure(failure);
                continue;
            }
            results.add(value);
        }
        return results.finish();
    }

    /**
     * Past {@code maxMemoryPerChild}: sends the answers and {@link PoolMessages#OVER_MEMORY}.
     *
     * @return whether the worker is to end
     */
    private boolean overMemory(Outbox outbox) {
        if (maxMemory <= 0) {
            return false;
        }
        long resident = Platform.residentBytes(Platform.currentPid()).orElse(0);
        if (resident <= maxMemory) {
            return false;
        }
        outbox.send(PoolMessages.workerNote(PoolMessages.OVER_MEMORY, worker, resident));
        return true;
    }

    /**
     * Waits until the control thread has handled every control message put before now, so that a
     * chunk the pool cancelled or asked back before the worker came to it is skipped, not run: a
     * {@code cancel(true)} that returned before the task started must keep it from running, and
     * the control thread, woken by the same ring as this one, could lose the race to the chunk's
     * start (CI saw a cancelled task run once, 2026-12-06). Messages are rare: the look is two
     * reads. At most {@value #CONTROL_WAIT_NANOS} ns, should the control thread be gone.
     */
    private void awaitControlPutBefore(RunningChunk running) {
        if (control == null) {
            return;
        }
        long put = control.putCount();
        if (running.controlHandledCount() < put) {
            Wait.uninterruptibly(CONTROL_WAIT_NANOS, () -> running.controlHandledCount() >= put, null);
        }
    }

    /** Starts the daemon thread that reads the control channel: it interrupts, or skips, the chunks named there. */
    private void watchControl(RunningChunk running, Outbox outbox) {
        Thread watcher = new Thread(() -> {
            Wire.Reader message;
            while ((message = control.take()) != null) {
                byte kind = message.getByte();
                long chunkId = message.getLong();
                if (kind == PoolMessages.INTERRUPT && running.interrupt(chunkId)) {
                    outbox.send(PoolMessages.workerNote(PoolMessages.INTERRUPTING, worker, chunkId));
                } else if (kind == PoolMessages.RELEASE && running.release(chunkId)) {
                    outbox.send(PoolMessages.workerNote(PoolMessages.RELEASED, worker, chunkId));
                }
                running.noteControlHandled();
            }
        }, "mp4j-pool-control");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * The chunk the worker runs, shared by the thread that runs it and the one that reads the
     * control channel; guarded by itself, so that an interrupt meant for one chunk never reaches
     * the next.
     */
    static final class RunningChunk {
        /** What {@link #start} says of a chunk: it runs... */
        static final int RUN = 0;
        /** ...it was cancelled before it started: its answer says so... */
        static final int CANCELLED = 1;
        /** ...or the pool took it back before it started ({@link #release}): no answer. */
        static final int RELEASED = 2;
        /**
         * How many of the chunks started last are remembered: a chunk that ran already, its answer
         * not yet read by the pool, must not be given back (it would run twice). The pool asks back
         * only a chunk it holds for this worker, and it holds {@value Dispatcher#DEPTH_TASKS} at
         * most: the chunks started before the last this many are all answered and read.
         */
        private static final int STARTED_REMEMBERED = 4 * Dispatcher.DEPTH_TASKS;

        private final Thread runner;
        /** Chunks named on the control channel before they started: skipped when they come. */
        private final Set<Long> skip = new HashSet<>();
        /** Chunks given back before they started: skipped, unanswered, when they come. */
        private final Set<Long> released = new HashSet<>();
        /** The ids of the chunks started last, a ring: one store per chunk, searched only when the pool asks one back. */
        private final long[] started = new long[STARTED_REMEMBERED];
        private int startedNext;
        private long current;
        private boolean interrupted;
        /** How many control messages the control thread has handled: written by that thread alone. */
        private volatile long controlHandled;

        RunningChunk(Thread runner) {
            this.runner = runner;
        }

        /** The control thread handled one more message (in the order they were put). */
        void noteControlHandled() {
            controlHandled++; // one writer: no lost update
        }

        /** @return how many control messages have been handled */
        long controlHandledCount() {
            return controlHandled;
        }

        /** @return {@link #RUN}, {@link #CANCELLED} or {@link #RELEASED} */
        synchronized int start(long chunkId) {
            if (!released.isEmpty() && released.remove(chunkId)) {
                return RELEASED; // a copy sent again to this worker later runs: it comes after this one
            }
            if (!skip.isEmpty() && skip.remove(chunkId)) {
                return CANCELLED;
            }
            current = chunkId;
            started[startedNext] = chunkId;
            startedNext = (startedNext + 1) % STARTED_REMEMBERED;
            return RUN;
        }

        /** @return whether the chunk had not started: it is skipped, unanswered, when it comes */
        synchronized boolean release(long chunkId) {
            if (hasStarted(chunkId)) {
                return false; // it runs or ran (the one running is the last started): its answer comes
            }
            released.add(chunkId);
            return true;
        }

        private boolean hasStarted(long chunkId) {
            for (long id : started) {
                if (id == chunkId) {
                    return true;
                }
            }
            return false;
        }

        /** @return whether the chunk that ended was interrupted; the runner's interrupt status is cleared */
        synchronized boolean end() {
            current = 0;
            boolean was = interrupted;
            interrupted = false;
            Thread.interrupted();
            return was;
        }

        /** @return whether the chunk was running and its thread is now interrupted; else it is skipped if it comes */
        synchronized boolean interrupt(long chunkId) {
            if (current == chunkId) {
                interrupted = true;
                runner.interrupt();
                return true;
            }
            skip.add(chunkId); // not started, or answered already (then the entry is never used)
            return false;
        }
    }

    /**
     * Answers waiting to be sent: the answers of small chunks go out together, in one
     * {@link PoolMessages#BATCH}; a large one goes alone ({@link PoolMessages#MOST_BATCHED_BYTES}).
     * They are sent when the inbox has nothing more to run, when {@value #BATCH_MESSAGES} are waiting, or when the first of them has waited
     * {@value #BATCH_NANOS} ns (checked before and after each chunk): a chunk that runs longer than
     * that is answered at once, and a small chunk's answer waits at most that long plus the
     * running time of one more chunk. The parent gives a worker more chunks than a batch holds,
     * so a worker does not run dry while its batch travels. Thread-safe: the control thread
     * sends through it too, so that its notes come after the answers before them.
     */
    private static final class Outbox {
        static final int BATCH_MESSAGES = 32;
        static final long BATCH_NANOS = 50_000;

        private final MessageChannel results;
        /** Each a {@code byte[]} or a {@link Wire.Spliced} message. */
        private final List<Object> messages = new ArrayList<>();
        private int bytes;
        private long firstStart;

        Outbox(MessageChannel results) {
            this.results = results;
        }

        synchronized boolean isEmpty() {
            return messages.isEmpty();
        }

        synchronized void beforeChunk() {
            if (!messages.isEmpty() && System.nanoTime() - firstStart >= BATCH_NANOS) {
                flush();
            }
        }

        synchronized void add(Object message, long chunkStart) {
            int length = PoolMessages.lengthOf(message);
            if (length > PoolMessages.MOST_BATCHED_BYTES) {
                flush(); // the answers before it go without it (in a batch it would be copied); its size sends it alone below
            }
            if (messages.isEmpty()) {
                firstStart = chunkStart;
            }
            messages.add(message);
            bytes += length;
            if (messages.size() >= BATCH_MESSAGES || bytes >= PoolMessages.MOST_BATCHED_BYTES || System.nanoTime() - firstStart >= BATCH_NANOS) {
                flush();
            }
        }

        /** Sends the answers waiting, then {@code note}. */
        synchronized void send(byte[] note) {
            flush();
            results.put(note);
        }

        synchronized void flush() {
            if (!messages.isEmpty()) {
                results.answered(messages.size()); // counted with this push (mp4j ps --redis shows it)
                results.put(PoolMessages.batch(messages));
                messages.clear();
                bytes = 0;
            }
        }
    }

    private Object invoke(Object function, byte mode, Object arg) throws Exception {
        switch (mode) {
            case PoolMessages.APPLY:
                return invoker.apply(function, arg);
            case PoolMessages.CALL:
                return ((Callable<?>) function).call();
            default:
                invoker.run(function);
                return null;
        }
    }

    /** @return the function, or the exception that reading it threw (which fails each chunk using it) */
    private static Object readFunction(byte[] bytes, ClassLoader loader) {
        try {
            return Serialization.deserialize(bytes, loader);
        } catch (Exception | LinkageError e) {
            return unreadable("the task's function", e);
        }
    }

    /**
     * The failure of a task the worker could not read: it names the worker's process and host,
     * and, when a class is missing, says that a worker runs only the classes of its own class
     * path (a worker on another machine may run another build of the application, or lack it).
     */
    private static IllegalStateException unreadable(String what, Throwable e) {
        String where = "pool worker " + ProcessHandle.current().pid() + " on " + hostName();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClassNotFoundException || t instanceof NoClassDefFoundError) {
                String missing = t.getMessage() == null ? "?" : t.getMessage().replace('/', '.');
                return new IllegalStateException(what + " could not be read in " + where + ": class " + missing
                        + " is not on the worker's class path (a worker runs only the classes of its own class path:"
                        + " give it the application's jar)", e);
            }
        }
        return new IllegalStateException(what + " could not be read in " + where + ": " + e, e);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            String host = System.getenv("HOSTNAME");
            return host != null ? host : "this host";
        }
    }

    private static void outOfMemory(OutOfMemoryError e) {
        try {
            System.err.println("pool worker: " + e + "; the worker ends");
        } finally {
            Runtime.getRuntime().halt(OUT_OF_MEMORY_EXIT);
        }
    }

    static <K, V> Map<K, V> lruCache(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }
}
