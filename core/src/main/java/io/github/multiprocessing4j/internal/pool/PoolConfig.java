package io.github.multiprocessing4j.internal.pool;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * How a pool is made.
 *
 * @param processes the number of workers the pool keeps
 * @param initializer run by each worker before its first task, through {@code invoker}; null for none
 * @param maxTasksPerChild chunks a worker runs before it is replaced; 0 for no limit
 * @param jvmArgs options of the workers' JVMs
 * @param invoker runs the callers' functions and runnables in the workers
 * @param workerDied makes the failure of the tasks a worker held when it died
 * @param retries how many more times a chunk held by a worker that died is sent to another
 *     worker before it fails with {@code workerDied}'s exception; 0 for none
 * @param taskTimeoutNanos how long a chunk may run before it is stopped ({@link TaskStopper}),
 *     unless its task or function says otherwise ({@link TimedTask}); 0 for no limit
 * @param interruptGraceNanos how long a chunk that was interrupted (timed out, or cancelled with
 *     {@code cancel(true)}) has to end before its worker is killed
 * @param maxMemoryPerChild the resident bytes past which a worker is replaced after a chunk; 0 for no limit
 */
public record PoolConfig(int processes, Serializable initializer, int maxTasksPerChild, List<String> jvmArgs,
                         TaskInvoker invoker, WorkerDiedFactory workerDied, int retries, long taskTimeoutNanos,
                         long interruptGraceNanos, long maxMemoryPerChild) {
    /** The default of {@code interruptGraceNanos}: one second. */
    public static final long DEFAULT_INTERRUPT_GRACE_NANOS = 1_000_000_000L;

    /** @throws IllegalArgumentException when {@code processes < 1} */
    public PoolConfig {
        if (processes < 1) {
            throw new IllegalArgumentException("a pool needs at least one process, not " + processes);
        }
        maxTasksPerChild = Math.max(0, maxTasksPerChild);
        jvmArgs = List.copyOf(jvmArgs);
        Objects.requireNonNull(invoker, "invoker");
        Objects.requireNonNull(workerDied, "workerDied");
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, not " + retries);
        }
        if (taskTimeoutNanos < 0 || interruptGraceNanos < 0 || maxMemoryPerChild < 0) {
            throw new IllegalArgumentException("a task timeout, an interrupt grace and a memory limit are 0 or more");
        }
    }

    /** A pool without time or memory limits, whose chunks are retried {@code retries} times when their worker dies. */
    public PoolConfig(int processes, Serializable initializer, int maxTasksPerChild, List<String> jvmArgs,
                      TaskInvoker invoker, WorkerDiedFactory workerDied, int retries) {
        this(processes, initializer, maxTasksPerChild, jvmArgs, invoker, workerDied, retries, 0,
                DEFAULT_INTERRUPT_GRACE_NANOS, 0);
    }

    /** A pool whose chunks are not retried when their worker dies. */
    public PoolConfig(int processes, Serializable initializer, int maxTasksPerChild, List<String> jvmArgs,
                      TaskInvoker invoker, WorkerDiedFactory workerDied) {
        this(processes, initializer, maxTasksPerChild, jvmArgs, invoker, workerDied, 0);
    }

    /** Makes the exception a task fails with when its worker died holding it. */
    @FunctionalInterface
    public interface WorkerDiedFactory {
        /** @param cause why the worker ended, when known (it could not boot); may be null */
        RuntimeException create(String workerName, long pid, int exitCode, Throwable cause);
    }
}
