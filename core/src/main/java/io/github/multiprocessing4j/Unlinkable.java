package io.github.multiprocessing4j;

/**
 * An object that processes share, with Python's two ways to let go of it: {@link #close()} ends
 * this process's use (the other processes keep the object), {@link #unlink()} ends it for every
 * process (as {@code SharedMemory.unlink()} does in Python). The queues, a pipe's
 * {@link Connection}s, the locks, semaphores, events, conditions and barriers, the shared values
 * and arrays and {@link SharedMemory} are such objects; see
 * <a href="package-summary.html#close">close() and unlink()</a> for what each call does to an
 * object's memory.
 *
 * <pre>{@code
 * List<Unlinkable> made = List.of(queue, lock, counter);
 * ... start the children, join them ...
 * made.forEach(Unlinkable::unlink);   // done, in every process: free them now
 * }</pre>
 */
public interface Unlinkable extends AutoCloseable {

    /**
     * Ends this process's use of the object through this handle: its further use here throws
     * {@link IllegalStateException}; the other processes keep using it. Idempotent; never
     * blocks for long; throws no checked exception.
     */
    @Override
    void close();

    /**
     * Ends the object for every process, as each class documents (a queue refuses puts and is
     * drained, a pipe fails at both ends, a shared object's name goes). Works on a closed handle;
     * idempotent; never blocks for long.
     */
    void unlink();
}
