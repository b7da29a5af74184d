package io.github.multiprocessing4j.redis.internal.connection;

import java.io.Serializable;
import java.util.concurrent.TimeUnit;

/**
 * What a backend of a named object on the server carries when it travels: its cluster's
 * {@link ClusterRef} and its name. The connection is found again, lazily, in the process that
 * deserialized it ({@link ClusterConnection#resolve}).
 */
public abstract class ClusterHandle implements Serializable {
    private static final long serialVersionUID = 1L;

    protected final ClusterRef ref;
    protected final String name;
    private transient ClusterConnection connection;

    protected ClusterHandle(ClusterConnection connection, String name) {
        this.connection = connection;
        this.ref = connection.ref();
        this.name = name;
    }

    /** @return this process's connection to the object's cluster */
    protected final ClusterConnection connection() {
        ClusterConnection c = connection;
        if (c == null) {
            c = connection = ClusterConnection.resolve(ref);
        }
        return c;
    }

    /** @return the number in the string key {@code key}, 0 when absent; one round trip, retried */
    protected final long readNumber(String what, String key) {
        String value = connection().server().call(what, j -> j.get(key));
        return value == null ? 0 : Long.parseLong(value);
    }

    /**
     * Blocks on the notification list {@code list} for up to {@code millis} (or until an element
     * comes, which it takes): {@link Server#callBlocking}, so the wait rides out a restart of the
     * server and answers an interrupt within about {@value BlockingCalls#WATCH_PERIOD_MILLIS} ms.
     *
     * @return whether an element came
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    protected final boolean awaitNotification(String what, String list, long millis) throws InterruptedException {
        return connection().server().callBlocking(what, TimeUnit.MILLISECONDS.toNanos(Math.max(1, millis)),
                (j, seconds) -> j.blpop(seconds, list)) != null;
    }
}
