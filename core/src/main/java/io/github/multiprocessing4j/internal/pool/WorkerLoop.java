package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.SerializableFunction;
import io.github.multiprocessing4j.SerializableRunnable;
import io.github.multiprocessing4j.internal.serial.Serialization;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What a pool worker process runs: the initializer, then chunks from its inbox until the inbox
 * is closed or it has run its quota of chunks ({@code maxTasksPerChild}).
 *
 * <p>Implementation notes. The worker reads its inbox in order and answers each chunk with one
 * message on the shared result channel, so the parent, which alone writes the inbox, always knows
 * which chunks a worker holds: those it sent and has no answer for. A task's exception is that
 * task's result (the worker goes on); an {@link OutOfMemoryError} ends the worker at once (exit
 * code 3, as {@code -XX:+ExitOnOutOfMemoryError} would), since nothing in the JVM can be trusted
 * after it, and the parent fails the chunks it held. The worker's JVM gets no option of the
 * pool's own for that, so that workers are plain children (a warm spare can become one). Functions of map calls arrive once per
 * worker ({@link PoolMessages#DEFINE}) and are kept in a small LRU cache, whose contents the
 * parent mirrors by doing the same operations in the same order.
 */
public final class WorkerLoop implements SerializableRunnable {
    private static final long serialVersionUID = 1L;
    /** Functions a worker keeps; the parent's mirror ({@link WorkerHandle}) uses the same bound. */
    static final int FUNCTION_CACHE = 8;
    /** The exit code of a worker that ran out of memory, as with {@code -XX:+ExitOnOutOfMemoryError}. */
    static final int OUT_OF_MEMORY_EXIT = 3;

    private final int worker;
    private final Channel inbox;
    private final Channel results;
    private final SerializableRunnable initializer;
    private final int maxTasks;

    WorkerLoop(int worker, Channel inbox, Channel results, SerializableRunnable initializer, int maxTasks) {
        this.worker = worker;
        this.inbox = inbox;
        this.results = results;
        this.initializer = initializer;
        this.maxTasks = maxTasks;
    }

    @Override
    public void run() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = WorkerLoop.class.getClassLoader();
        }
        if (initializer != null) {
            try {
                initializer.run();
            } catch (Throwable failure) {
                results.put(PoolMessages.initFailed(worker, failure));
                return;
            }
        }
        results.put(PoolMessages.ready(worker));
        Map<Long, Object> functions = lruCache(FUNCTION_CACHE);
        int done = 0;
        try {
            while (maxTasks <= 0 || done < maxTasks) {
                byte[] message = inbox.take();
                if (message == null) {
                    return; // the pool is stopping
                }
                Wire.Reader in = new Wire.Reader(message);
                byte kind = in.getByte();
                if (kind == PoolMessages.DEFINE) {
                    long id = in.getLong();
                    functions.put(id, readFunction(in.rest(), loader));
                } else {
                    runChunk(in, functions, loader);
                    done++;
                }
            }
        } catch (OutOfMemoryError e) {
            outOfMemory(e); // reading or writing a message
        }
    }

    private void runChunk(Wire.Reader in, Map<Long, Object> functions, ClassLoader loader) {
        long chunkId = in.getLong();
        byte mode = in.getByte();
        long functionId = in.getLong();
        int inline = in.getInt();
        Object function;
        Object[] args = null;
        try {
            function = inline > 0 ? readFunction(in.getBytes(inline), loader) : functions.get(functionId);
            if (function instanceof Throwable) {
                throw (Throwable) function;
            }
            if (function == null) {
                throw new IllegalStateException("function " + functionId + " was not defined in this worker");
            }
            if (mode == PoolMessages.APPLY) {
                args = ItemSection.read(in, loader);
            }
        } catch (OutOfMemoryError e) {
            outOfMemory(e);
            return;
        } catch (Throwable unreadable) {
            results.put(PoolMessages.chunkFailed(worker, chunkId, unreadable));
            return;
        }
        int count = args == null ? 1 : args.length;
        Object[] values = new Object[count];
        Throwable[] failures = null;
        for (int i = 0; i < count; i++) {
            try {
                values[i] = invoke(function, mode, args == null ? null : args[i]);
            } catch (OutOfMemoryError e) {
                outOfMemory(e);
            } catch (Throwable failure) {
                if (failures == null) {
                    failures = new Throwable[count];
                }
                failures[i] = failure;
            }
        }
        results.put(PoolMessages.results(worker, chunkId, values, failures, count));
    }

    @SuppressWarnings("unchecked")
    private static Object invoke(Object function, byte mode, Object arg) throws Exception {
        switch (mode) {
            case PoolMessages.APPLY:
                return ((SerializableFunction<Object, Object>) function).apply(arg);
            case PoolMessages.CALL:
                return ((Callable<Object>) function).call();
            default:
                if (function instanceof SerializableRunnable) {
                    ((SerializableRunnable) function).run();
                } else {
                    ((Runnable) function).run();
                }
                return null;
        }
    }

    /** @return the function, or the exception that reading it threw (which fails each chunk using it) */
    private static Object readFunction(byte[] bytes, ClassLoader loader) {
        try {
            return Serialization.deserialize(bytes, loader);
        } catch (Exception | LinkageError e) {
            return new IllegalStateException("the task's function could not be read in the worker: " + e, e);
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
