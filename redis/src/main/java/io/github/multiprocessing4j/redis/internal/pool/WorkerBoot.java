package io.github.multiprocessing4j.redis.internal.pool;

import io.github.multiprocessing4j.redis.internal.connection.ItemFilter;

import io.github.multiprocessing4j.SerializableRunnable;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.util.List;

/**
 * What an agent's worker process runs: it makes the agent's allow-list the JVM-wide
 * deserialization filter (everything this worker reads comes from the network), reads the pool's
 * worker loop from the placement's bytes through it, and runs it.
 *
 * <p>Implementation notes. The loop is deserialized here, in the worker, not in the agent: the
 * agent never runs a class of the application, and a class missing on this machine fails this
 * worker's boot with a message naming the class and the host (the pool breaks: every worker
 * would fail the same way). The filter is JVM-wide because the pool's engine deserializes the
 * tasks deep in core code; a filter set for the whole JVM catches every stream there.
 */
public final class WorkerBoot implements SerializableRunnable {
    private static final long serialVersionUID = 1L;
    /** The worker's status hash on the server, in this worker process; null in any other. */
    private static volatile String currentStatusKey;

    private final byte[] target;
    private final List<String> allowed;
    private final String statusKey;
    private final String host;

    WorkerBoot(byte[] target, List<String> allowed, String statusKey, String host) {
        this.target = target;
        this.allowed = List.copyOf(allowed);
        this.statusKey = statusKey;
        this.host = host;
    }

    /** @return the key of this worker process's status hash (for its task count), or null when not a worker */
    static String statusKey() {
        return currentStatusKey;
    }

    @Override
    public void runWithException() throws Exception {
        ObjectInputFilter filter = ItemFilter.allowing(allowed);
        ObjectInputFilter.Config.setSerialFilter(filter);
        currentStatusKey = statusKey;
        Runnable loop;
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : WorkerBoot.class.getClassLoader();
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(target)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                return Class.forName(desc.getName(), false, loader);
            }
        }) {
            loop = (Runnable) in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("pool worker on " + host + ": class " + e.getMessage() + " is not on the"
                    + " worker agent's class path (a worker runs only the classes of its agent's class path: start the"
                    + " agent with the application's jar)", e);
        } catch (InvalidClassException e) {
            throw new IllegalStateException("pool worker on " + host + ": " + ItemFilter.howToAllow(e.classname), e);
        }
        loop.run();
    }
}
