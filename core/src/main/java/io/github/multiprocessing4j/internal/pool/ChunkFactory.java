package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.ValueSection;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.internal.serial.Serialization;

import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds a pool's chunks and function definitions, in the callers' threads: the serialization of
 * tasks and items is done there, never under the pool's lock.
 */
final class ChunkFactory {
    private final AtomicLong ids = new AtomicLong();

    /**
     * Serializes a map call's function once.
     *
     * @throws IllegalArgumentException when it is not serializable; the message names the class
     */
    FunctionRef function(Object function) {
        return new FunctionRef(ids.incrementAndGet(), Serialization.serialize(function, "function"));
    }

    /**
     * Makes the chunk of a submitted task.
     *
     * @param timeoutNanos how long it may run once started; 0 for no limit
     * @throws IllegalArgumentException when the task is not serializable; the message names the class
     */
    Chunk taskChunk(PoolTask task, ChunkOwner owner, long timeoutNanos) {
        byte mode = modeOf(task instanceof PoolTask.Call ? PoolMessages.CALL : PoolMessages.RUN, timeoutNanos);
        byte[] serialized = Serialization.serialize(task.task(), "task");
        long id = ids.incrementAndGet();
        byte[] message = PoolMessages.chunk(id, mode, 0, serialized, 0).toByteArray();
        return new Chunk(id, message, 1, 0, null, owner, timeoutNanos);
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
     * @throws IllegalArgumentException when an item is not serializable
     */
    Chunk mapChunk(FunctionRef function, Iterator<?> source, int chunkSize, int expected, boolean spliceLargeArrays,
                   int index, ChunkOwner owner, long timeoutNanos) {
        Object first = source.next();
        long id = ids.incrementAndGet();
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
        return new Chunk(id, out.toMessage(), count, index, function, owner, timeoutNanos);
    }

    /** A timed chunk runs from when it starts in its worker, which says so: its mode asks for it. */
    private static byte modeOf(byte mode, long timeoutNanos) {
        return timeoutNanos > 0 ? (byte) (mode | PoolMessages.REPORT_START) : mode;
    }
}
