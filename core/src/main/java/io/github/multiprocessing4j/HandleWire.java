package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.queue.ByteQueue;
import io.github.multiprocessing4j.internal.serial.HandleCodec;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.internal.shm.SharedSegment;
import io.github.multiprocessing4j.internal.shm.WordArray;

import java.io.IOException;

/**
 * The direct encoding of this package's handles over shared memory ({@link HandleCodec}): what a
 * child's target or a pool task carries of a queue, a lock, a semaphore, an event, a shared value
 * or array, a shared memory block or a pipe's end, without JDK serialization.
 *
 * <pre>
 *  byte kind | body
 *
 *  segment:                                  string tree | string name | int size
 *  QUEUE, JOINABLE_QUEUE, SIMPLE_QUEUE:      the queue as {@code ByteQueue.writeTo} writes it:
 *                                            segment (the header) | long maxSize | int chunkSize
 *  LOCK, RLOCK, SEMAPHORE, BOUNDED_SEMAPHORE,
 *  EVENT, LONG, DOUBLE, MEMORY:              segment
 *  LONG_ARRAY, DOUBLE_ARRAY:                 segment | int length
 *  CONNECTION:                               segment (the pipe's ends) | int end | byte queues (1: receives,
 *                                            2: sends) | the queue it receives from | the queue it sends into
 * </pre>
 *
 * <p>Implementation notes. Only the exact classes below over this library's own shared memory
 * are written here; a subclass, a handle over a backend of another kind (a cluster's) and the
 * handles that carry more than names (a condition with its lock, a barrier with its action) go
 * to JDK serialization. A pipe's end is its pipe's and queues' names: read, it records this
 * process as a user of the end, as its JDK deserialization does. Written, a handle counts as having
 * left this process, and read, as having come from another one ({@link ProcessUse}), as with
 * JDK serialization. What a handle's kind implies is not written: a lock's re-entrance, a
 * semaphore's bound. Nothing here is a lambda: a child reads its target's handles while it
 * starts, and the first lambda a JVM links costs it milliseconds.
 */
final class HandleWire implements HandleCodec {
    private static final byte QUEUE = 1;
    private static final byte JOINABLE_QUEUE = 2;
    private static final byte SIMPLE_QUEUE = 3;
    private static final byte LOCK = 4;
    private static final byte RLOCK = 5;
    private static final byte SEMAPHORE = 6;
    private static final byte BOUNDED_SEMAPHORE = 7;
    private static final byte EVENT = 8;
    private static final byte LONG = 9;
    private static final byte DOUBLE = 10;
    private static final byte LONG_ARRAY = 11;
    private static final byte DOUBLE_ARRAY = 12;
    private static final byte MEMORY = 13;
    private static final byte CONNECTION = 14;

    static {
        HandleCodec.install(new HandleWire());
    }

    private HandleWire() {
    }

    /**
     * Dispatches on the class's name, not on class literals: comparing with a literal loads that
     * class, and every captured value that is not a plain one comes here first (a record, a list),
     * so a program's first such target loaded every handle class, whether it used them or not.
     * A name below that no longer names its class sends that handle through JDK serialization,
     * which {@code HandleWireTest} fails on.
     */
    @Override
    public boolean write(Object value, Wire.Writer out) {
        switch (value.getClass().getName()) {
            case "io.github.multiprocessing4j.ProcessQueue": {
                ProcessQueue<?> queue = (ProcessQueue<?>) value;
                return queue.backend.getClass() == LocalQueue.class && writeQueue(QUEUE, queue.use, queue.backend, out);
            }
            case "io.github.multiprocessing4j.ProcessJoinableQueue": {
                ProcessQueue<?> queue = (ProcessQueue<?>) value;
                return queue.backend.getClass() == LocalJoinableQueue.class
                        && writeQueue(JOINABLE_QUEUE, queue.use, queue.backend, out);
            }
            case "io.github.multiprocessing4j.ProcessSimpleQueue": {
                ProcessSimpleQueue<?> queue = (ProcessSimpleQueue<?>) value;
                return queue.backend.getClass() == LocalQueue.class && writeQueue(SIMPLE_QUEUE, queue.use, queue.backend, out);
            }
            case "io.github.multiprocessing4j.ProcessLock":
                return writeLock(LOCK, (SharedMutexLock) value, out);
            case "io.github.multiprocessing4j.ProcessRLock":
                return writeLock(RLOCK, (SharedMutexLock) value, out);
            case "io.github.multiprocessing4j.ProcessSemaphore":
                return writeSemaphore(SEMAPHORE, (SharedSemaphore) value, out);
            case "io.github.multiprocessing4j.ProcessBoundedSemaphore":
                return writeSemaphore(BOUNDED_SEMAPHORE, (SharedSemaphore) value, out);
            case "io.github.multiprocessing4j.ProcessEvent": {
                ProcessEvent event = (ProcessEvent) value;
                return event.backend() instanceof LocalEvent local && writeSegment(EVENT, event.use(), local.segment(), out);
            }
            case "io.github.multiprocessing4j.SharedLong": {
                SharedLong shared = (SharedLong) value;
                return shared.backend() instanceof LocalLong local && writeSegment(LONG, shared.use(), local.segment(), out);
            }
            case "io.github.multiprocessing4j.SharedDouble": {
                SharedDouble shared = (SharedDouble) value;
                return shared.backend() instanceof LocalLong local && writeSegment(DOUBLE, shared.use(), local.segment(), out);
            }
            case "io.github.multiprocessing4j.SharedLongArray": {
                SharedLongArray array = (SharedLongArray) value;
                return writeArray(LONG_ARRAY, array.use(), array.words(), out);
            }
            case "io.github.multiprocessing4j.SharedDoubleArray": {
                SharedDoubleArray array = (SharedDoubleArray) value;
                return writeArray(DOUBLE_ARRAY, array.use(), array.words(), out);
            }
            case "io.github.multiprocessing4j.SharedMemory":
                return writeSegment(MEMORY, null, ((SharedMemory) value).segment(), out);
            case "io.github.multiprocessing4j.PipeConnection":
                out.putByte(CONNECTION);
                ((PipeConnection<?>) value).writeTo(out);
                return true;
            default:
                return false;
        }
    }

    private static boolean writeLock(byte kind, SharedMutexLock lock, Wire.Writer out) {
        return lock.backend() instanceof LocalLock local && writeSegment(kind, lock.use(), local.segment(), out);
    }

    private static boolean writeSemaphore(byte kind, SharedSemaphore semaphore, Wire.Writer out) {
        return semaphore.backend() instanceof LocalSemaphore local && writeSegment(kind, semaphore.use(), local.segment(), out);
    }

    @Override
    public Object read(Wire.Reader in) throws IOException {
        byte kind = in.getByte();
        switch (kind) {
            case QUEUE:
            case JOINABLE_QUEUE:
            case SIMPLE_QUEUE: {
                ByteQueue queue = ByteQueue.readFrom(in);
                if (kind == QUEUE) {
                    return new ProcessQueue<>(new LocalQueue(queue), ProcessUse.received("ProcessQueue"));
                } else if (kind == JOINABLE_QUEUE) {
                    return new ProcessJoinableQueue<>(new LocalJoinableQueue(queue), ProcessUse.received("ProcessJoinableQueue"));
                }
                return new ProcessSimpleQueue<>(new LocalQueue(queue), ProcessUse.received("ProcessSimpleQueue"));
            }
            case LOCK:
                return new ProcessLock(new LocalLock(in.getSegment(), false), ProcessUse.received("ProcessLock"));
            case RLOCK:
                return new ProcessRLock(new LocalLock(in.getSegment(), true), ProcessUse.received("ProcessRLock"));
            case SEMAPHORE:
                return new ProcessSemaphore(new LocalSemaphore(in.getSegment(), false), ProcessUse.received("ProcessSemaphore"));
            case BOUNDED_SEMAPHORE:
                return new ProcessBoundedSemaphore(new LocalSemaphore(in.getSegment(), true),
                        ProcessUse.received("ProcessBoundedSemaphore"));
            case EVENT:
                return new ProcessEvent(new LocalEvent(in.getSegment()), ProcessUse.received("ProcessEvent"));
            case LONG:
                return new SharedLong(new LocalLong(in.getSegment()), ProcessUse.received("SharedLong"));
            case DOUBLE:
                return new SharedDouble(new LocalLong(in.getSegment()), ProcessUse.received("SharedDouble"));
            case LONG_ARRAY:
                return new SharedLongArray(WordArray.received(in.getSegment(), in.getInt()), ProcessUse.received("SharedLongArray"));
            case DOUBLE_ARRAY:
                return new SharedDoubleArray(WordArray.received(in.getSegment(), in.getInt()),
                        ProcessUse.received("SharedDoubleArray"));
            case MEMORY:
                return SharedMemory.received(in.getSegment());
            case CONNECTION:
                return PipeConnection.readFrom(in);
            default:
                throw new IOException("unknown kind of handle " + kind);
        }
    }

    private static boolean writeQueue(byte kind, ProcessUse use, Object backend, Wire.Writer out) {
        ByteQueue queue = ((LocalQueue) backend).queue;
        use.sent();
        out.putByte(kind);
        queue.writeTo(out);
        return true;
    }

    private static boolean writeArray(byte kind, ProcessUse use, WordArray words, Wire.Writer out) {
        writeSegment(kind, use, words.segment(), out);
        out.putInt(words.length());
        return true;
    }

    /** @param use the handle's use, marked as sent; null for a handle without one */
    private static boolean writeSegment(byte kind, ProcessUse use, SharedSegment segment, Wire.Writer out) {
        if (use != null) {
            use.sent();
        }
        out.putByte(kind);
        out.putSegment(segment);
        return true;
    }
}
