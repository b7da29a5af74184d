package io.github.multiprocessing4j;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The results of a {@link ProcessPool#imap imap} or {@link ProcessPool#imapUnordered imapUnordered}
 * call, handed out as they come: an {@link Iterator}, an {@link Iterable} for one for-each loop,
 * and a {@link Stream}.
 *
 * <pre>{@code
 * for (Long square : pool.imap(x -> (long) x * x, numbers)) {
 *     System.out.println(square);
 * }
 * long big = pool.imapUnordered(x -> (long) x * x, numbers).stream().filter(s -> s > 1000).count();
 * }</pre>
 *
 * <p>All three are the same pass over the results: the call's input is read lazily, in the
 * thread that takes the results, a bounded number of chunks ahead of them (see
 * {@link ProcessPool}); {@link #iterator()} and {@link #stream()} may be called once between them,
 * and go on from where {@link #next()} stopped. Taking a result blocks until it is there, without
 * a timeout.
 *
 * <p>A task that failed throws {@link CompletionException} (its exception is the cause) at its
 * place: {@link #next()} may be called again for the next result, while a for-each loop or a
 * stream ends there, throwing it. An interrupt while waiting also throws
 * {@link CompletionException}, with an {@link InterruptedException} as the cause and the
 * interrupt status kept. {@link CancellationException} means the pool was terminated;
 * {@link RejectedExecutionException} that it was shut down before the input was read to its end
 * (the results of what was read came first); {@link IllegalArgumentException} that an item is not
 * serializable. An input whose iterator throws (a {@link RuntimeException}) ends there, as in
 * CPython: the results of every item read before it are handed out first (for
 * {@code imapUnordered} too, whatever their order), then {@link #next()} throws the input's own
 * exception as it is, not wrapped, once; after it there are no more results. Stopping early (a {@code break}, a short-circuiting stream) leaves the chunks
 * already sent to run in the workers; their results are dropped.
 *
 * <p>Not thread-safe: for one thread at a time. A method that takes a value from an iterator or
 * an iterable (AssertJ's {@code assertThat}, Guava's {@code copyOf}) may find a call ambiguous
 * for this type: pass {@link #stream()}, or give the variable one of the two types.
 *
 * @param <R> the result type
 */
public final class ResultIterator<R> implements Iterator<R>, Iterable<R> {
    private final Iterator<R> results;
    private final boolean ordered;
    private boolean handedOut;

    ResultIterator(Iterator<R> results, boolean ordered) {
        this.results = results;
        this.ordered = ordered;
    }

    /**
     * Tells whether there is another result, reading (and sending) input as needed to know it;
     * does not wait for results.
     *
     * @return whether {@link #next()} returns a result or throws for a task or for the input,
     *     rather than throwing {@link NoSuchElementException}
     * @throws IllegalArgumentException when an item read is not serializable
     */
    @Override
    public boolean hasNext() {
        return results.hasNext();
    }

    /**
     * Returns the next result, blocking until it is there.
     *
     * @return the next result: in input order for {@code imap}, as it came for {@code imapUnordered}
     * @throws CompletionException when this task failed (the cause is its exception; the next
     *     call goes on with the next task), or when interrupted while waiting (the cause is an
     *     {@link InterruptedException}; the interrupt status is kept)
     * @throws CancellationException when the pool was terminated before this task's result came
     * @throws RejectedExecutionException when the pool was shut down before the input was read to
     *     its end
     * @throws IllegalArgumentException when an item read is not serializable
     * @throws RuntimeException what the input's iterator threw, as it is, once the results of
     *     the items before it were taken; the results end there
     * @throws NoSuchElementException after the last result
     */
    @Override
    public R next() {
        return results.next();
    }

    /**
     * Returns this iterator, for a for-each loop: the results not taken yet.
     *
     * @return this iterator
     * @throws IllegalStateException when {@code iterator()} or {@link #stream()} was called before:
     *     the results can be gone through once
     */
    @Override
    public Iterator<R> iterator() {
        handOut();
        return this;
    }

    /**
     * Returns the results not taken yet as a sequential stream, in the order {@link #next()} gives
     * them; a failed task ends the stream, whose terminal operation throws the task's
     * {@link CompletionException}.
     *
     * @return a stream of the results, which reads the input as it is consumed
     * @throws IllegalStateException when {@link #iterator()} or {@code stream()} was called before
     */
    public Stream<R> stream() {
        return StreamSupport.stream(spliterator(), false);
    }

    /**
     * Returns the results not taken yet as a spliterator of unknown size, ordered for
     * {@code imap}.
     *
     * @return the spliterator
     * @throws IllegalStateException when {@link #iterator()} or {@link #stream()} was called before
     */
    @Override
    public Spliterator<R> spliterator() {
        handOut();
        return Spliterators.spliteratorUnknownSize(this, ordered ? Spliterator.ORDERED : 0);
    }

    private void handOut() {
        if (handedOut) {
            throw new IllegalStateException("the results of an imap call can be gone through once:"
                    + " iterator() or stream() was called before");
        }
        handedOut = true;
    }

    /**
     * Describes the iterator for logs and debuggers: whether its results come in input order.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "ResultIterator[" + (ordered ? "in input order" : "as they come") + "]";
    }
}
