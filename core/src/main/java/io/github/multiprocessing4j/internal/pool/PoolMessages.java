package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.serial.ValueSection;
import io.github.multiprocessing4j.internal.serial.Wire;

import java.util.List;

/**
 * The messages between a pool and its workers, each one {@code byte[]} ({@link Wire}); the first
 * byte is the kind. To a worker, through its inbox:
 *
 * <pre>
 *  DEFINE  | long functionId | function (serialized, to the end)
 *  CHUNK   | long chunkId | byte mode | long functionId | int inlineLength | inline function | [values]
 *  WARM_UP                    (the pool is used every so often: have this JVM's pool code compiled, once)
 * </pre>
 *
 * A chunk names a function defined before in the same inbox (a map's function, or a submitted
 * task that captures nothing, sent once per worker and cached there), or carries its own
 * ({@code functionId} 0: a submitted task that captures values, used once). Mode {@link #APPLY}
 * applies the function to each value of the {@link ValueSection} {@code [values]} (a map's
 * items, or the one argument of a function submitted on its own); {@link #CALL} and
 * {@link #RUN} call a task (no values) whose one result is its return value, or null. A mode
 * with the bit {@link #REPORT_START} asks the worker to say when it starts the chunk (a chunk
 * with a time limit, which runs from then).
 *
 * <p>To a worker, through its control channel (read by a thread of its own, while a chunk runs):
 *
 * <pre>
 *  INTERRUPT | long chunkId   (interrupt the chunk if it runs; skip it if it has not started)
 *  RELEASE   | long chunkId   (give the chunk back if it has not started: a worker that is free takes it)
 * </pre>
 *
 * <p>From workers (and the pool's own watchers), through the one result channel:
 *
 * <pre>
 *  READY        | int worker                        (booted, initializer done)
 *  RESULTS      | int worker | long chunkId | long taskNanos | [values]   (a value per task, or a
 *                 failure; taskNanos: the chunk's run time on the worker divided by its tasks)
 *  CHUNK_FAILED | int worker | long chunkId | failure   (the function or the values could not be read)
 *  INIT_FAILED  | int worker | failure                  (the initializer threw; the worker ends)
 *  DIED         | int worker | long pid | int exitCode  (written by the parent once the worker has ended)
 *  STARTED      | int worker | long chunkId   (a REPORT_START chunk starts now; earlier answers are sent)
 *  INTERRUPTING | int worker | long chunkId   (the chunk was running and its thread is interrupted)
 *  OVER_MEMORY  | int worker | long rssBytes  (past maxMemoryPerChild after a chunk: the worker ends)
 *  RELEASED     | int worker | long chunkId   (a RELEASE came before the chunk started: it is skipped, unanswered)
 *  DETACHED     | int 0                        (written by the parent as its pool parks its workers: its collector ends here)
 * </pre>
 *
 * A worker's messages are in the channel before its DIED, which the parent writes after the
 * worker's exit: the pool reads everything a worker finished before it learns of its death.
 *
 * <p>Either side may send several messages as one {@link #BATCH}: the parent the chunks it gives
 * a worker at once, a worker the results of consecutive small chunks. A queue operation and a
 * wake-up then serve many tasks, which is what makes chunks of one task cheap. Large messages go
 * one by one ({@link #MOST_BATCHED_BYTES}): a batch is a copy of its messages.
 */
final class PoolMessages {
    static final byte DEFINE = 1;
    static final byte CHUNK = 2;
    static final byte WARM_UP = 5;

    static final byte READY = 11;
    static final byte RESULTS = 12;
    static final byte CHUNK_FAILED = 13;
    static final byte INIT_FAILED = 14;
    static final byte DIED = 15;
    static final byte STARTED = 16;
    static final byte INTERRUPTING = 17;
    static final byte OVER_MEMORY = 18;
    static final byte RELEASED = 19;
    static final byte DETACHED = 21;

    static final byte INTERRUPT = 3;
    static final byte RELEASE = 4;

    /** Several messages of the kinds above, in order, as one: {@code int n | n x (int length | message)}. */
    static final byte BATCH = 20;

    /** Apply the function to each value. */
    static final byte APPLY = 1;
    /** Call a {@link java.util.concurrent.Callable}. */
    static final byte CALL = 2;
    /** Run a runnable; the result is null. */
    static final byte RUN = 3;
    /** Set in a chunk's mode: the worker sends {@link #STARTED} before it runs the chunk. */
    static final byte REPORT_START = 0x40;
    /** Where a {@link #RESULTS} message holds its task time: after its kind, worker and chunk id. */
    private static final int TASK_NANOS_AT = 13;

    /** Bytes before a chunk's values when it has no inline function. */
    static final int CHUNK_HEADER = 1 + 8 + 1 + 8 + 4;

    private PoolMessages() {
    }

    static byte[] define(long functionId, byte[] function) {
        return new Wire.Writer(9 + function.length).putByte(DEFINE).putLong(functionId).putBytes(function).toByteArray();
    }

    /**
     * Starts a chunk: the caller adds the values ({@link ValueSection.Encoder}) for {@link #APPLY}.
     *
     * @param inlineFunction the serialized task, or null when {@code functionId} names a defined one
     * @param valueBytes a guess of the bytes the values take
     */
    static Wire.Writer chunk(long chunkId, byte mode, long functionId, byte[] inlineFunction, int valueBytes) {
        int inline = inlineFunction == null ? 0 : inlineFunction.length;
        Wire.Writer out = new Wire.Writer(CHUNK_HEADER + inline + valueBytes);
        out.putByte(CHUNK).putLong(chunkId).putByte(mode).putLong(functionId).putInt(inline);
        if (inlineFunction != null) {
            out.putBytes(inlineFunction);
        }
        return out;
    }

    /**
     * Batches whose copy would cost more than the puts it saves are not made: past this many bytes,
     * messages go one by one (a map's chunks of 8 MiB arrays went out two to a batch of 16 MiB,
     * one more copy of each in the parent, into a new array).
     */
    static final int MOST_BATCHED_BYTES = 256 << 10;

    /**
     * A map chunk's {@code byte[]} item, or a worker's {@code byte[]} result, of this many bytes
     * or more is held by reference in its message ({@link Wire.Spliced}) instead of copied into
     * it; such a message is never batched.
     */
    static final int SPLICED_ARRAY_BYTES = MOST_BATCHED_BYTES;

    /** @return whether {@code messages} ({@code byte[]} or {@link Wire.Spliced}) are few enough bytes to go as one {@link #BATCH} */
    static boolean worthBatching(List<?> messages) {
        long bytes = 0;
        for (Object m : messages) {
            bytes += lengthOf(m);
        }
        return bytes <= MOST_BATCHED_BYTES;
    }

    /** @return the bytes of a message, a {@code byte[]} or a {@link Wire.Spliced} */
    static int lengthOf(Object message) {
        return message instanceof Wire.Spliced spliced ? spliced.length() : ((byte[]) message).length;
    }

    /** @return a message, a {@code byte[]} or a {@link Wire.Spliced}, as one array (a spliced one copied into it) */
    static byte[] bytesOf(Object message) {
        return message instanceof Wire.Spliced spliced ? spliced.toByteArray() : (byte[]) message;
    }

    /**
     * @return the messages as one: the message itself when there is one, else a {@link #BATCH}
     *     (of {@link #worthBatching} messages: a spliced one among them is copied in)
     */
    static Object batch(List<?> messages) {
        if (messages.size() == 1) {
            return messages.get(0);
        }
        int bytes = 5;
        for (Object m : messages) {
            bytes += 4 + lengthOf(m);
        }
        Wire.Writer out = new Wire.Writer(bytes).putByte(BATCH).putInt(messages.size());
        for (Object m : messages) {
            byte[] whole = bytesOf(m);
            out.putInt(whole.length).putBytes(whole);
        }
        return out.toByteArray();
    }

    /** @return readers of the messages a message stands for: those of a {@link #BATCH}, or itself */
    static Wire.Reader[] parts(Wire.Reader message) {
        byte[] bytes = message.buffer();
        if (bytes[message.start()] != BATCH) {
            return new Wire.Reader[] {message};
        }
        Wire.Reader in = new Wire.Reader(bytes, message.start(), message.end());
        in.getByte();
        Wire.Reader[] parts = new Wire.Reader[in.getInt()];
        for (int i = 0; i < parts.length; i++) {
            int length = in.getInt();
            parts[i] = new Wire.Reader(bytes, in.position(), in.position() + length);
            in.position(in.position() + length);
        }
        return parts;
    }

    static byte[] ready(int worker) {
        return new Wire.Writer(5).putByte(READY).putInt(worker).toByteArray();
    }

    /**
     * A {@link #RESULTS} message written as the results come, each as soon as it is known: a
     * worker keeps no result of a chunk once it is written, except a {@code byte[]} result of
     * {@link #SPLICED_ARRAY_BYTES} or more, which the message holds by reference
     * ({@link Wire.Spliced}) and which is copied only into the result channel. A worker making
     * 8 MiB arrays copied each into the message's buffer, which grew by doubling while the
     * result lived, so its young collections moved the result into the old generation: in a
     * running pool of 2 mapping 16 ints to 8 MiB arrays, each worker's collector took about as
     * long as the map. As CPython's worker, which pickles a chunk's results once the chunk has
     * run, a large result is read when its chunk ends, so a task that changes an array an
     * earlier task of the same chunk returned changes that result too. A result that cannot be
     * serialized is reported as that task's failure ({@link ValueSection.Encoder#finishEachSerializable}).
     * Not thread-safe.
     */
    static final class ResultsWriter {
        private final int worker;
        private final long chunkId;
        private final int count;
        /** When the chunk began to run: made just before its first task. */
        private final long started = System.nanoTime();
        private Wire.Writer out;
        private ValueSection.Encoder encoder;

        /** @param count how many results the chunk gives, to size the message */
        ResultsWriter(int worker, long chunkId, int count) {
            this.worker = worker;
            this.chunkId = chunkId;
            this.count = count;
        }

        void add(Object value) {
            start(value);
            encoder.add(value);
        }

        /** Appends a task's failure: its exception, with its stack trace. */
        void addFailure(Throwable failure) {
            start(null);
            encoder.addFailure(failure);
        }

        /** @return the message: a {@code byte[]}, or a {@link Wire.Spliced} one when it holds large arrays */
        Object finish() {
            start(null);
            encoder.finishEachSerializable();
            Wire.putLong(out.buffer(), TASK_NANOS_AT, (System.nanoTime() - started) / Math.max(1, count));
            return out.toMessage();
        }

        /** Starts the message at the first result, sized for {@code count} values like it (exactly, for ints or longs). */
        private void start(Object first) {
            if (out == null) {
                out = new Wire.Writer(21 + ValueSection.sizeGuess(first, count));
                out.putByte(RESULTS).putInt(worker).putLong(chunkId).putLong(0); // its task time: at finish()
                out.spliceArraysFrom(SPLICED_ARRAY_BYTES);
                encoder = new ValueSection.Encoder(out, "result", count);
            }
        }
    }

    static byte[] chunkFailed(int worker, long chunkId, Throwable failure) {
        byte[] bytes = Serialization.serializeFailure(failure);
        return new Wire.Writer(13 + bytes.length).putByte(CHUNK_FAILED).putInt(worker).putLong(chunkId).putBytes(bytes)
                .toByteArray();
    }

    static byte[] initFailed(int worker, Throwable failure) {
        byte[] bytes = Serialization.serializeFailure(failure);
        return new Wire.Writer(5 + bytes.length).putByte(INIT_FAILED).putInt(worker).putBytes(bytes).toByteArray();
    }

    /** A message of a worker about one chunk, or of one number: STARTED, INTERRUPTING, OVER_MEMORY. */
    static byte[] workerNote(byte kind, int worker, long chunkIdOrBytes) {
        return new Wire.Writer(13).putByte(kind).putInt(worker).putLong(chunkIdOrBytes).toByteArray();
    }

    static byte[] warmUp() {
        return new byte[] {WARM_UP};
    }

    static byte[] interrupt(long chunkId) {
        return new Wire.Writer(9).putByte(INTERRUPT).putLong(chunkId).toByteArray();
    }

    static byte[] release(long chunkId) {
        return new Wire.Writer(9).putByte(RELEASE).putLong(chunkId).toByteArray();
    }

    static byte[] detached() {
        return new Wire.Writer(5).putByte(DETACHED).putInt(0).toByteArray();
    }

    static byte[] died(int worker, long pid, int exitCode) {
        return new Wire.Writer(17).putByte(DIED).putInt(worker).putLong(pid).putInt(exitCode).toByteArray();
    }
}
