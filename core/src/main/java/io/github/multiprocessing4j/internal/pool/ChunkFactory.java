package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.ValueSection;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.internal.serial.Serialization;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds a pool's chunks and function definitions, in the callers' threads: the serialization of
 * tasks and items is done there, never under the pool's lock.
 *
 * <p>Implementation notes. A submitted task that captures nothing (a lambda whose class has no
 * instance field: all its instances are alike) is serialized once per pool and defined once per
 * worker, as a map call's function is, and its chunks name it. In a program's first calls, before
 * the JIT has compiled the codec, serializing such a task cost the caller about 100 µs per call and
 * reading it back cost the worker 110-160 µs, together a quarter of an {@code apply()}'s time
 * beyond the task's own (measured 2026-12-06, a task of 5 ms). A task that captures values is
 * serialized with them at each submission, and read back once.
 */
final class ChunkFactory {
    /** How many classes of stateless tasks a pool keeps the function of, the last used. */
    static final int STATELESS_TASK_CLASSES = 64;

    /**
     * The ids of chunks, functions and task kinds: unique in the JVM, not per pool, because a
     * pool that adopts a closed pool's workers ({@link PoolParking}) must give nothing an id the
     * workers, their function caches or the channel's late notes already know.
     */
    private static final AtomicLong IDS = new AtomicLong();
    /** The pool's channels, whose medium may refuse a message over its size (a Redis server's limit). */
    private final MessageChannel channels;
    /** The functions of submitted tasks that capture nothing, by their lambda's class; guarded by itself. */
    private final Map<Class<?>, FunctionRef> statelessTasks = WorkerLoop.lruCache(STATELESS_TASK_CLASSES);
    /** The {@linkplain Chunk#kind kind} of each class of submitted task: an id of this pool's, given at its first submission. */
    private final ClassValue<Long> taskKinds = new ClassValue<>() {
        @Override
        protected Long computeValue(Class<?> type) {
            return IDS.incrementAndGet();
        }
    };

    /** @param channels one of the pool's channels: they all carry messages of the same sizes */
    ChunkFactory(MessageChannel channels) {
        this.channels = channels;
    }

    /**
     * Serializes a map call's function once.
     *
     * @throws IllegalArgumentException when it is not serializable (the message names the class),
     *     or larger than the pool's channels carry
     */
    FunctionRef function(Object function) {
        return fitting("the function", new FunctionRef(IDS.incrementAndGet(), Serialization.serialize(function, "function"), false));
    }

    /**
     * Makes the chunk of a submitted task: a callable or a runnable, or a function with its one
     * argument (mode {@link PoolMessages#APPLY}, a section of one value).
     *
     * @param timeoutNanos how long it may run once started; 0 for no limit
     * @throws IllegalArgumentException when the task, or a function's argument, is not
     *     serializable (the message names the class), or it is larger than the pool's channels carry
     */
    Chunk taskChunk(PoolTask task, ChunkOwner owner, long timeoutNanos) {
        byte mode = modeOf(task instanceof PoolTask.Call ? PoolMessages.CALL
                : task instanceof PoolTask.Apply ? PoolMessages.APPLY : PoolMessages.RUN, timeoutNanos);
        FunctionRef stateless = Serialization.isStatelessLambda(task.task()) ? statelessTask(task.task()) : null;
        byte[] inline = stateless == null ? Serialization.serialize(task.task(), "task") : null;
        long id = IDS.incrementAndGet();
        Wire.Writer out = PoolMessages.chunk(id, mode, stateless == null ? 0 : stateless.id, inline, 0);
        if (task instanceof PoolTask.Apply apply) {
            ValueSection.Encoder argument = new ValueSection.Encoder(out, "argument", 1);
            argument.add(apply.argument());
            argument.finish();
        }
        byte[] message = out.toByteArray();
        channels.checkMessageFits("the task", message.length);
        return new Chunk(id, message, 1, 0, stateless, taskKinds.get(task.task().getClass()), owner, timeoutNanos);
    }

    /** @return the function of a task that captures nothing: one per lambda class, made at its first submission */
    private FunctionRef statelessTask(Object task) {
        synchronized (statelessTasks) {
            FunctionRef function = statelessTasks.get(task.getClass());
            if (function == null) {
                function = fitting("the task", new FunctionRef(IDS.incrementAndGet(), Serialization.serialize(task, "task"), true));
                statelessTasks.put(task.getClass(), function);
            }
            return function;
        }
    }

    /**
     * Reads a map chunk's items from {@code source} (it has one at least) and writes its message.
     * With {@code spliceLargeArrays}, a {@code byte[]} item of {@link PoolMessages#SPLICED_ARRAY_BYTES}
     * or more is not copied into it but held by reference ({@link Wire.Spliced}), and copied only
     * into the worker's inbox, at each send: a new heap array of megabytes per chunk, kept until
     * the chunk is answered, was fresh memory for the parent's collector to commit (see
     * {@code ProcessPool}'s notes). Only for an input the caller holds whole (a collection, an
     * array): an iterator read as it goes may hand out one array again and again, refilled, and
     * its chunk must keep what the array held when it was read.
     *
     * @param expected how many items the chunk likely gets, to size its message
     * @param spliceLargeArrays whether large {@code byte[]} items are held by reference
     * @param index the chunk's place among its call's chunks
     * @param timeoutNanos how long it may run once started; 0 for no limit
     * @throws IllegalArgumentException when an item is not serializable, or the chunk is larger
     *     than the pool's channels carry
     */
    Chunk mapChunk(FunctionRef function, Iterator<?> source, int chunkSize, int expected, boolean spliceLargeArrays,
                   int index, ChunkOwner owner, long timeoutNanos) {
        Object first = source.next();
        long id = IDS.incrementAndGet();
        Wire.Writer out = PoolMessages.chunk(id, modeOf(PoolMessages.APPLY, timeoutNanos), function.id, null,
                ValueSection.sizeGuess(first, Math.max(1, expected)));
        if (spliceLargeArrays) {
            out.spliceArraysFrom(PoolMessages.SPLICED_ARRAY_BYTES);
        }
        ValueSection.Encoder items = new ValueSection.Encoder(out, "item", expected);
        items.add(first);
        int count = 1;
        while (count < chunkSize && source.hasNext()) {
            items.add(source.next());
            count++;
        }
        items.finish();
        Object message = out.toMessage();
        channels.checkMessageFits("a chunk of the map's items", PoolMessages.lengthOf(message)); // no text made per chunk
        return new Chunk(id, message, count, index, function, function.id, owner, timeoutNanos);
    }

    private FunctionRef fitting(String what, FunctionRef function) {
        channels.checkMessageFits(what, function.defineMessage.length);
        return function;
    }

    /** A timed chunk runs from when it starts in its worker, which says so: its mode asks for it. */
    private static byte modeOf(byte mode, long timeoutNanos) {
        return timeoutNanos > 0 ? (byte) (mode | PoolMessages.REPORT_START) : mode;
    }
}
