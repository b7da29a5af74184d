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
        return saturatedNanos(duration);
    }

    /** @return the duration in nanoseconds, at most {@code Long.MAX_VALUE} (a duration of centuries is no limit) */
    static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    static final class Call<T> implements SerializableCallable<T>, TimedTask {
        private static final long serialVersionUID = 1L;
        private final SerializableCallable<T> task;
        private final long timeoutNanos;

        Call(SerializableCallable<T> task, long timeoutNanos) {
            this.task = Objects.requireNonNull(task, "task");
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public T call() throws Exception {
            return task.call();
        }

        @Override
        public Object task() {
            return task;
        }

        @Override
        public long timeoutNanos() {
            return timeoutNanos;
        }
    }

    static final class Run implements SerializableRunnable, TimedTask {
        private static final long serialVersionUID = 1L;
        private final SerializableRunnable task;
        private final long timeoutNanos;

        Run(SerializableRunnable task, long timeoutNanos) {
            this.task = Objects.requireNonNull(task, "task");
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public void runWithException() throws Exception {
            task.runWithException();
        }

        @Override
        public Object task() {
            return task;
        }

        @Override
        public long timeoutNanos() {
            return timeoutNanos;
        }
    }

    static final class Function<T, R> implements SerializableFunction<T, R>, TimedTask {
        private static final long serialVersionUID = 1L;
        private final SerializableFunction<T, R> function;
        private final long timeoutNanos;

        Function(SerializableFunction<T, R> function, long timeoutNanos) {
            this.function = Objects.requireNonNull(function, "fn");
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public R apply(T t) throws Exception {
            return function.apply(t);
        }

        @Override
        public Object task() {
            return function;
        }

        @Override
        public long timeoutNanos() {
            return timeoutNanos;
        }
    }
}
