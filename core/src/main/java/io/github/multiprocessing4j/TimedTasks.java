package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.pool.TimedTask;

import java.time.Duration;
import java.util.Objects;

/**
 * The tasks and functions that {@link ProcessPool#timed} makes: the caller's own, with a time
 * limit that the pool's engine reads ({@link TimedTask}) and unwraps; a worker runs only what
 * they wrap. Anywhere else (a {@link ChildProcess}'s target, say) they simply run it, without a limit.
 */
final class TimedTasks {
    private TimedTasks() {
    }

    /**
     * @return the duration in nanoseconds, at most {@code Long.MAX_VALUE}
     * @throws IllegalArgumentException when it is not above 0, naming {@code what}
     */
    static long positiveNanos(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be above 0, not " + duration);
        }
        return ProcessQueue.nanos(duration);
    }

    /**
     * What the three have in common: the wrapped task or function and its limit.
     *
     * @param <W> the type of what is wrapped
     */
    private abstract static class Limited<W> implements TimedTask, java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final W wrapped;
        private final long timeoutNanos;

        Limited(W wrapped, long timeoutNanos, String what) {
            this.wrapped = Objects.requireNonNull(wrapped, what);
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public Object task() {
            return wrapped;
        }

        @Override
        public long timeoutNanos() {
            return timeoutNanos;
        }
    }

    static final class Call<T> extends Limited<SerializableCallable<T>> implements SerializableCallable<T> {
        private static final long serialVersionUID = 1L;

        Call(SerializableCallable<T> task, long timeoutNanos) {
            super(task, timeoutNanos, "task");
        }

        @Override
        public T call() throws Exception {
            return wrapped.call();
        }
    }

    static final class Run extends Limited<SerializableRunnable> implements SerializableRunnable {
        private static final long serialVersionUID = 1L;

        Run(SerializableRunnable task, long timeoutNanos) {
            super(task, timeoutNanos, "task");
        }

        @Override
        public void runWithException() throws Exception {
            wrapped.runWithException();
        }
    }

    static final class Function<T, R> extends Limited<SerializableFunction<T, R>> implements SerializableFunction<T, R> {
        private static final long serialVersionUID = 1L;

        Function(SerializableFunction<T, R> function, long timeoutNanos) {
            super(function, timeoutNanos, "fn");
        }

        @Override
        public R apply(T t) throws Exception {
            return wrapped.apply(t);
        }
    }
}
