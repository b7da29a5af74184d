package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.SerializableCallable;

/** A task class the test's agents do not have on their class path (see {@code testing.Agents}). */
final class OnlyOnTheCaller implements SerializableCallable<String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call() {
        return "ran";
    }
}
