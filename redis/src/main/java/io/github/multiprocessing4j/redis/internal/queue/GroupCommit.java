package io.github.multiprocessing4j.redis.internal.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Sends the requests of concurrent callers to the server together: a caller that finds no batch
 * in flight sends its request at once (a lone put into a bounded queue is never delayed), and requests that
 * arrive while a batch is in flight wait and go together in the next one, sent by the first of
 * their callers. Each caller returns once its own request has been answered, so nothing a call
 * returned from is still only in this process.
 *
 * @param <T> a request
 * @param <R> its answer
 */
final class GroupCommit<T, R> {
    private final int maxBatch;
    private final Function<List<T>, List<R>> sender;
    private final ArrayDeque<Pending<T, R>> waiting = new ArrayDeque<>();
    private boolean sending;

    /**
     * @param sender sends a batch and answers each request, in order; what it throws fails every
     *     request of the batch
     */
    GroupCommit(int maxBatch, Function<List<T>, List<R>> sender) {
        this.maxBatch = maxBatch;
        this.sender = sender;
    }

    /**
     * Sends {@code request} (with others, if they are ready) and waits for its answer; not ended
     * by an interrupt (a batch takes one round trip).
     */
    R submit(T request) {
        Pending<T, R> mine = new Pending<>(request);
        boolean interrupted = false;
        boolean leader = false;
        synchronized (this) {
            waiting.add(mine);
            while (sending && !mine.done) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (!mine.done) {
                sending = true;
                leader = true;
            }
        }
        try {
            while (!mine.done) {
                sendOneBatch();
            }
        } finally {
            synchronized (this) {
                if (leader) {
                    sending = false;
                    notifyAll();
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return mine.answer();
    }

    private void sendOneBatch() {
        List<Pending<T, R>> batch = new ArrayList<>();
        synchronized (this) {
            while (!waiting.isEmpty() && batch.size() < maxBatch) {
                batch.add(waiting.poll());
            }
        }
        List<T> requests = new ArrayList<>(batch.size());
        for (Pending<T, R> p : batch) {
            requests.add(p.request);
        }
        List<R> answers = null;
        RuntimeException failure = null;
        try {
            answers = sender.apply(requests);
        } catch (RuntimeException e) {
            failure = e;
        }
        synchronized (this) {
            for (int i = 0; i < batch.size(); i++) {
                Pending<T, R> p = batch.get(i);
                if (failure != null) {
                    p.failure = failure;
                } else {
                    p.answer = answers.get(i);
                }
                p.done = true;
            }
            notifyAll();
        }
    }

    private static final class Pending<T, R> {
        final T request;
        boolean done;
        R answer;
        RuntimeException failure;

        Pending(T request) {
            this.request = request;
        }

        R answer() {
            if (failure != null) {
                throw failure;
            }
            return answer;
        }
    }
}
