package io.github.multiprocessing4j.redis;

import io.github.multiprocessing4j.ProcessBoundedSemaphore;
import io.github.multiprocessing4j.ProcessEvent;
import io.github.multiprocessing4j.ProcessJoinableQueue;
import io.github.multiprocessing4j.ProcessLock;
import io.github.multiprocessing4j.ProcessQueue;
import io.github.multiprocessing4j.ProcessRLock;
import io.github.multiprocessing4j.ProcessSemaphore;
import io.github.multiprocessing4j.SharedLong;
import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.sync.RedisEvent;
import io.github.multiprocessing4j.redis.internal.queue.RedisJoinableQueue;
import io.github.multiprocessing4j.redis.internal.sync.RedisLock;
import io.github.multiprocessing4j.redis.internal.value.RedisLong;
import io.github.multiprocessing4j.redis.internal.pool.RedisPool;
import io.github.multiprocessing4j.redis.internal.queue.RedisQueue;
import io.github.multiprocessing4j.redis.internal.sync.RedisSemaphore;
import io.github.multiprocessing4j.redis.internal.connection.Server;
import io.github.multiprocessing4j.redis.internal.connection.ServerAddress;
import io.github.multiprocessing4j.spi.PoolBackend;
import io.github.multiprocessing4j.spi.PoolBackendFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A connection to a Redis (or Valkey) server that carries the library's objects across machines:
 * the same queues, locks, shared values and process pool as on one machine, obtained from the
 * cluster by name instead of constructed, so that every program that names an object meets it.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.connect("redis://app:secret@redis.internal:6379/0")) {
 *     ProcessQueue<Job> jobs = cluster.queue("jobs", 1_000);
 *     ...
 * }
 * }</pre>
 *
 * <p>The URL is {@code redis[s]://[[user]:password@]host[:port][/db]}: {@code rediss://} for TLS
 * (with the JDK's default trust store, or the one given to {@link Builder#trustStore}; the
 * server's certificate must name the URL's host). A password without a user authenticates as the
 * {@code default} user ({@code requirepass}); {@code user:password} as an ACL user. Credentials
 * never show: not in {@link #toString()}, not in {@link #server()}, not in logs, not in
 * exception messages, not in the handles of objects that travel to other processes (those carry
 * the address and the prefix; a receiving process uses its own connection, or {@code MP4J_REDIS_URL}).
 * Every key the library writes starts with the cluster's {@linkplain Builder#prefix prefix}
 * ({@code mp4j} by default) and a colon, so an ACL user limited to {@code ~prefix:*} can do
 * everything a cluster does; all keys of one object share one hash slot, so that a Redis Cluster
 * deployment works. What is read from the server is deserialized through an allow-list
 * ({@link Builder#allowClasses}).
 *
 * <h2>When the server fails</h2>
 * <ul>
 *   <li><b>Unreachable at {@link #connect}</b> (nothing listening, a host that does not answer, a
 *       frozen server): {@link ClusterException} naming the server once the
 *       {@linkplain Builder#timeout timeout} has passed, never a hang. Wrong credentials and an
 *       untrusted TLS certificate fail at once, with what to do.</li>
 *   <li><b>The server restarting</b>: a call that finds no connection reconnects with growing
 *       pauses (10 ms doubling to 500 ms, with jitter) and goes on when the server is back within
 *       the timeout. Reads and writes that may be repeated are retried; an operation that must
 *       not happen twice (an increment, a put, a take) is sent at most once: it waits for the
 *       server as long as it was not sent, and fails with {@link ClusterException} ("may or may
 *       not have been carried out") only when the connection broke while it was on its way.
 *       Blocked calls ({@code get(timeout)}, a lock wait) re-issue what remains of their wait on a
 *       new connection.</li>
 *   <li><b>What is kept across a restart</b> is what the server kept: with
 *       {@code appendonly yes} and {@code appendfsync always}, every operation acknowledged to a
 *       caller is on disk before the acknowledgement, so after a crash and restart the state
 *       holds every acknowledged operation, and may hold the ones whose call failed with
 *       "may or may not" (for a counter incremented n times across a SIGKILL:
 *       acknowledged &le; value &le; attempted). With {@code appendfsync everysec} (Redis's
 *       default when AOF is on) up to a second of acknowledged operations can be lost in a crash
 *       of the server's machine; without persistence, everything is lost at a restart. The
 *       library cannot tell: choose the server's settings for what you need.</li>
 *   <li><b>The server gone for good</b>: every call fails with {@link ClusterException} naming
 *       the server once it has been unreachable for the timeout: a call never waits much more
 *       than the timeout on a server that does not answer, whether it refuses connections,
 *       accepts them and stays silent, or dies in the middle of the call; blocked calls fail a
 *       timeout after their server went silent; {@link #close()} ends them at once and leaves
 *       no thread behind.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} closes the connections; objects obtained from the cluster stop
 * working in this process then, and keep living on the server for the other programs.
 */
public final class Cluster implements AutoCloseable, PoolBackendFactory {
    private static final System.Logger LOG = System.getLogger(Cluster.class.getName());
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    /** A name of an object: any characters but the hash tag's braces, so keys stay in one slot. */
    private static final Pattern NAME = Pattern.compile("[^{}\\s]{1,200}");

    private final ClusterConnection connection;

    private Cluster(ClusterConnection connection) {
        this.connection = connection;
    }

    /**
     * Connects with the default options (prefix {@code mp4j}, timeout 5 s). Blocks until the
     * server answers or the timeout has passed.
     *
     * @param url the server: {@code redis[s]://[[user]:password@]host[:port][/db]}
     * @return the connected cluster, to be closed
     * @throws IllegalArgumentException when the URL is not a {@code redis://} or {@code rediss://} URL
     * @throws ClusterException when the server cannot be reached within the timeout or refuses
     *     the credentials
     */
    public static Cluster connect(String url) {
        return builder(url).connect();
    }

    /**
     * Starts the options of a connection to the server at {@code url}; {@link Builder#connect()}
     * connects. Does not connect yet.
     *
     * @param url the server: {@code redis[s]://[[user]:password@]host[:port][/db]}
     * @return a builder with the default options
     * @throws IllegalArgumentException when the URL is not a {@code redis://} or {@code rediss://} URL
     */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** {@return the server's URL without credentials, e.g. {@code redis://app@10.0.0.5:6379/0}} */
    public String server() {
        return connection.server().address().toString();
    }

    /** {@return the prefix of every key this cluster writes} */
    public String prefix() {
        return connection.prefix();
    }

    /**
     * Returns the class-name patterns allowed, beyond the library's own types and the JDK's value
     * types, when deserializing what comes from the server.
     *
     * @return the patterns, in {@link java.io.ObjectInputFilter}'s syntax
     */
    public List<String> allowedClasses() {
        return connection.allowedClasses();
    }

    /** Closes this process's connections. Idempotent; never blocks on the server. */
    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "Cluster[" + server() + ", prefix " + prefix() + "]";
    }

    /**
     * Returns the shared long named {@code name}: every program that names it on this cluster meets the
     * same number (0 until first set). Each call is one round trip to the server; increments are
     * atomic on the server. Increments and compare-and-set are sent at most once: while the
     * server cannot be reached they wait for it (up to the timeout); one whose connection breaks
     * on its way fails with {@link ClusterException} (it may have happened). Reads and sets retry
     * until the timeout.
     * {@link SharedLong#close()} deletes the number for everyone.
     *
     * @param name the object's name on this cluster: 1 to 200 characters, no braces, no spaces
     * @return the shared long; no round trip yet
     * @throws IllegalArgumentException when the name is empty, longer than 200 characters, or
     *     has braces or spaces
     */
    public SharedLong sharedLong(String name) {
        return SharedLong.over(new RedisLong(connection, checkName(name)));
    }

    /**
     * Makes the backend of one process pool whose workers run on this cluster's worker agents: what
     * {@code ProcessPool.builder().cluster(cluster)} calls; applications use that, not this.
     *
     * <p>How such a pool differs from one on this machine is in
     * {@code ProcessPool.Builder.cluster}'s documentation. On the server: each worker is placed
     * on an agent with a free slot ({@link WorkerAgent}); a worker's inbox and the pool's
     * results are lists, a batch of messages one element; a pool renews a lease of its own, and
     * agents end the workers of a pool whose lease ran out; a pool counts the workers of an
     * agent whose lease ran out as dead within the {@linkplain Builder#leaseTime lease time}
     * plus a quarter of a second. What comes back from the workers is deserialized through this
     * cluster's allow-list ({@link Builder#allowClasses}).
     *
     * @return the backend of one new pool
     * @throws ClusterException when the server cannot be reached within the timeout
     */
    @Override
    public PoolBackend newPoolBackend() {
        return new RedisPool(connection);
    }

    /**
     * Returns the lock named {@code name}: every program that names it on this cluster meets the same
     * lock. A holding is a <em>lease</em> on the server, renewed by the holding process (every
     * third of the {@linkplain Builder#leaseTime lease time}, 1.5 s by default) for as long as it
     * lives and holds the lock. When the holder's process dies (SIGKILL included) or its machine
     * or network goes, the lease lapses and a waiter takes the lock over within the lease time
     * (about 1.5 s, always under 2 s by default), logged as a WARNING and counted by
     * {@link ProcessLock#takeovers()}.
     *
     * <p><b>Not strict mutual exclusion.</b> There is no consensus behind this lock: a holder that
     * pauses for longer than the lease (a long GC pause, SIGSTOP, a swapped-out machine) or that
     * is cut from the server keeps running its critical section while the lease lapses and
     * another process takes the lock, so for a while two processes believe they hold it; a Redis
     * failover that loses the latest writes can do the same. This is why every holding has a
     * {@linkplain ProcessLock#fencingToken() fencing token}, strictly increasing per lock across
     * all holders (an {@code INCR} on the server when the lock is taken): pass it with every write
     * to the resource the lock guards and have that resource refuse a write carrying a token lower
     * than one it has seen, so the late holder's writes are refused (Martin Kleppmann, "How to do
     * distributed locking", 2016). Use the lock for efficiency (avoiding doing work twice), and
     * fencing tokens where correctness depends on it.
     *
     * <p>A holder that lost its lease is told: the renewal that finds it lapsed logs a WARNING, its
     * {@link ProcessLock#release()} throws {@link IllegalMonitorStateException} (never releasing
     * the next holder's lock), {@link ProcessLock#fencingToken()} throws it too, and
     * {@link ProcessLock#isHeldByCurrentThread()} turns false.
     *
     * <p>Blocking and interruption are as for a local lock, with the server's round trips:
     * uncontended, {@code acquire()} and {@code release()} are one round trip each. A waiter blocks
     * on the server (no busy polling): a release wakes one waiter at once; it also looks again at
     * least every 100 ms, and as soon as the lease in its way lapses; an interrupt ends an
     * interruptible wait within those 100 ms. {@code lock()} and {@code acquire()} ignore
     * interrupts (the status is kept). {@link ProcessLock#isLocked()} and
     * {@link ProcessLock#takeovers()} are one round trip; {@code isHeldByCurrentThread()} and
     * {@code fencingToken()} ask no one. A lock is not re-entrant (see {@link #rlock}); it cannot
     * have a {@link io.github.multiprocessing4j.ProcessCondition}
     * ({@link UnsupportedOperationException}). {@link ProcessLock#close()} deletes the lock's
     * state on the server for everyone (a holding then ends: its release throws) but keeps its
     * fencing counter, so tokens keep growing if the name is used again.
     *
     * <p>Failure: a call that cannot reach the server within the timeout fails with
     * {@link ClusterException}; a release whose connection breaks is not retried (the lease then
     * lapses on its own within the lease time).
     *
     * @param name the object's name on this cluster: 1 to 200 characters, no braces, no spaces
     * @return the lock; no round trip yet
     * @throws IllegalArgumentException when the name is empty, longer than 200 characters, or
     *     has braces or spaces
     */
    public ProcessLock lock(String name) {
        return ProcessLock.over(new RedisLock(connection, checkName(name), false));
    }

    /**
     * Returns the re-entrant lock named {@code name}: as {@link #lock}, but the holding thread may
     * acquire it again and must release it as many times (one lease, one fencing token per
     * holding). A lock and a re-entrant lock of the same name are two different locks.
     *
     * @param name the object's name on this cluster: 1 to 200 characters, no braces, no spaces
     * @return the re-entrant lock; no round trip yet
     * @throws IllegalArgumentException for a bad name, as {@link #lock}
     */
    public ProcessRLock rlock(String name) {
        return ProcessRLock.over(new RedisLock(connection, checkName(name), true));
    }

    /**
     * Returns the semaphore named {@code name}, with {@code permits} permits when this is the first
     * program to name it: the first one decides, and naming it later with another number (or
     * as a {@linkplain #boundedSemaphore bounded} one) fails. One round trip.
     *
     * <p>Every permit taken is a <em>lease</em>, as a {@linkplain #lock lock's} holding: renewed by
     * the taking process while it lives, so that the permits of a process that dies (or is cut
     * from the server, or pauses longer than the lease) come back within the lease time,
     * logged as a WARNING and counted by {@link ProcessSemaphore#reclaimed()}. The same caveat
     * holds: without consensus, a paused holder and the one its permit went to may overlap.
     *
     * <p>{@code release()} gives back a permit the calling thread took, else one another thread
     * of this process took; when this process holds none, it adds a permit (Python's release
     * without acquire). A permit whose lease had lapsed makes that {@code release()} throw
     * {@link IllegalMonitorStateException}. {@code acquire} waits as a lock's waiter does (woken
     * by a release, looks again at least every 100 ms and when the first lease lapses; an
     * interrupt ends it). {@code availablePermits()} and {@code tryAcquire()} are one round trip.
     * {@code close()} deletes the semaphore for everyone: using it afterwards fails with
     * {@link IllegalStateException}.
     *
     * @param name the object's name on this cluster: 1 to 200 characters, no braces, no spaces
     * @param permits how many permits it has, when this call makes it
     * @return the semaphore
     * @throws IllegalArgumentException for a bad name (as {@link #lock}) or negative permits
     * @throws IllegalStateException when the semaphore exists with another number of permits or
     *     is a bounded one
     * @throws ClusterException when the server cannot be reached within the timeout
     */
    public ProcessSemaphore semaphore(String name, int permits) {
        return ProcessSemaphore.over(RedisSemaphore.open(connection, checkName(name), checkPermits(permits), false));
    }

    /**
     * Returns the bounded semaphore named {@code name}: as {@link #semaphore}, but never more than
     * {@code permits} permits. Its {@code release()} gives back a permit this process took;
     * when it holds none it throws {@link IllegalStateException} (locally, any process may give
     * back a permit another took: across machines, only the holder of a lease ends it).
     *
     * @param name the object's name on this cluster: 1 to 200 characters, no braces, no spaces
     * @param permits how many permits it has, and the most it may have, when this call makes it
     * @return the bounded semaphore
     * @throws IllegalArgumentException for a bad name or negative permits
     * @throws IllegalStateException when the semaphore exists with another number of permits or
     *     is not bounded
     * @throws ClusterException when the server cannot be reached within the timeout
     */
    public ProcessBoundedSemaphore boundedSemaphore(String name, int permits) {
        return ProcessBoundedSemaphore.over(RedisSemaphore.open(connection, checkName(name), checkPermits(permits), true));
    }

    /**
     * Returns the event named {@code name}: every program that names it on this cluster meets the same
     * flag (clear until first set). {@code set()} wakes every waiter of every process at once
     * (each waits on the server, no polling); {@code set}, {@code clear} and {@code isSet} are one
     * round trip. {@code await} ends with {@link InterruptedException} within 100 ms of an
     * interrupt. Nothing is held, so nothing is leased: an event that only a dead process would
     * have set stays clear (wait with a timeout when that matters). {@code close()} deletes it
     * for everyone (it reads as clear afterwards).
     *
     * @param name the object's name on this cluster: 1 to 200 characters, no braces, no spaces
     * @return the event; no round trip yet
     * @throws IllegalArgumentException for a bad name, as {@link #lock}
     */
    public ProcessEvent event(String name) {
        return ProcessEvent.over(new RedisEvent(connection, checkName(name)));
    }

    private static int checkPermits(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("a semaphore's permits must not be negative, not " + permits);
        }
        return permits;
    }

    /**
     * Returns the queue named {@code name}, as it is: every program that names it on this cluster meets
     * the same queue. Made unbounded when it does not exist (or was closed and emptied); an
     * existing queue keeps its bound. One round trip to the server.
     *
     * <p>What differs from a local {@link ProcessQueue}:
     * <ul>
     *   <li>Items are encoded as locally, and read back through the cluster's
     *       {@linkplain Builder#allowClasses allow-list}. An item whose encoding is larger than the server takes
     *       (its {@code proto-max-bulk-len}, 512 MB unless configured, read at this process's
     *       first item over 1 MiB) is refused by its {@code put} with an
     *       {@link IllegalArgumentException} that says the limit; nothing is sent.</li>
     *   <li><b>Puts into an unbounded queue go behind.</b> {@code put} returns at once; the item
     *       is sent by a sender thread at once when none is in flight, else with the puts made
     *       meanwhile in the next call (so one thread's consecutive puts travel many to a round
     *       trip). It is on the server about one round trip after {@code put} returned. What this
     *       process does next over the cluster (any other call: a get, a shared long, a lock, a
     *       put into a bounded queue) waits for its puts first, so every program sees this
     *       program's operations in the order it made them. A producer process killed within
     *       that round trip loses the puts of it (a local put is in shared memory when it
     *       returns); a put the server refuses after it returned (the queue was closed
     *       meanwhile), or that cannot be sent within the timeout, is logged and thrown by this
     *       process's next {@code put} or {@code close()}, saying how many items were not stored.
     *       Puts are flushed by {@link #close()} and at the JVM's normal exit.</li>
     *   <li>A put into a bounded queue waits for the server's answer (one round trip; puts made at
     *       once by several threads of a process travel in one call).</li>
     *   <li><b>Gets fetch ahead</b> (an unbounded queue): a get that finds items waiting takes
     *       up to 256 in one round trip (at most half of what waits, so that other consumers are
     *       not starved) into this process, leased to it on the server, and the next gets of the
     *       process return them without a round trip. A get that finds nothing waits on the
     *       server and returns a lone item as soon as it is put. The threads of a process share
     *       its fetched-ahead items, in order.</li>
     *   <li><b>Nothing fetched ahead is lost</b>: an item stays on the server, in the process's
     *       list of taken items, until {@code get} returns it. Items a process fetched ahead and
     *       did not return go back to the head of the queue when it has not asked for one for
     *       about 200 ms (it works on something long, or stopped consuming), and when it dies
     *       (killed, its machine lost, cut off for longer than the
     *       {@linkplain Builder#leaseTime lease time}): then another consumer takes them, once it
     *       has found the queue otherwise empty. So they may come after items put later than
     *       them (FIFO holds for what one consumer gets, not across a dead consumer).</li>
     *   <li><b>An item {@code get} returned is acknowledged behind</b> (as puts go): it leaves
     *       the server about one round trip after {@code get} returned. It is delivered again
     *       (to another consumer) only if its process dies within that round trip, or if the
     *       acknowledgement could not be sent (connection broken; logged as a WARNING). A local
     *       get, by contrast, is final when it returns. A process that pauses longer than the
     *       lease time (a long GC pause, SIGSTOP) may have its fetched-ahead items delivered to
     *       another consumer as well as by itself.</li>
     *   <li>A bounded queue does not fetch ahead: each get takes exactly one item (gets of one
     *       process are one at a time), so that the bound counts exactly the items put and not
     *       got, as locally.</li>
     *   <li>The bound is enforced atomically on the server. A waiting {@code put} or {@code get}
     *       holds one of the cluster's pooled connections while it waits, and sees an interrupt
     *       (for {@code get} and {@code putInterruptibly}) or a {@code close()} within 250 ms.</li>
     *   <li>An item whose class the allow-list refuses fails that {@code get} with
     *       {@link ClusterException} (naming the class and how to allow it); the item is dropped
     *       and the next {@code get} goes on.</li>
     *   <li>A waiting {@code get} rides out a server that cannot be reached (restarting) for up
     *       to the cluster's timeout, then fails with {@link ClusterException}; items whose
     *       answer was lost with the connection are delivered again once this process's old
     *       lease runs out (never lost). A put whose connection breaks is not retried (it may
     *       have happened): it fails with {@link ClusterException} (for a put behind: reported
     *       as above).</li>
     *   <li>{@code close()} closes the queue for every program; {@code qsize()}, {@code isEmpty()}
     *       and {@code isFull()} ask the server. {@code qsize()} counts the items put and not yet
     *       returned by a get: those waiting, plus those consumers fetched ahead (and, for about
     *       a round trip, those returned whose acknowledgement is on its way; a process sees its
     *       own gets at once); {@code isFull()} compares it with the bound. A get fails with "closed and
     *       empty" when the queue is closed and nothing waits on the server, while items other
     *       consumers fetched ahead are still returned by them. A closed queue that is empty is
     *       made afresh by the next {@code queue(name)}.</li>
     *   <li>Handles travel: a queue captured in a child's target, or sent through another queue or
     *       to a pool task, works in the receiving process when it is connected to the same server
     *       (or has {@code MP4J_REDIS_URL} in its environment).</li>
     * </ul>
     *
     * @param name the object's name on this cluster: 1 to 200 characters, no braces, no spaces
     * @param <E> the type of the items
     * @return the queue
     * @throws IllegalArgumentException when the name is empty, longer than 200 characters, or has
     *     braces or spaces
     * @throws ClusterException when the server cannot be reached within the timeout
     */
    public <E> ProcessQueue<E> queue(String name) {
        return ProcessQueue.over(new RedisQueue(connection, checkName(name), -1));
    }

    /**
     * Returns the queue named {@code name}, holding at most {@code maxSize} items: made so when it does not
     * exist (see {@link #queue(String)} for what differs from a local queue).
     *
     * @param name the object's name on this cluster: 1 to 200 characters, no braces, no spaces
     * @param maxSize the bound, 0 for an unbounded queue
     * @param <E> the type of the items
     * @return the queue
     * @throws IllegalArgumentException when {@code maxSize} is negative, or the name is not valid
     * @throws IllegalStateException when the queue exists with another bound
     * @throws ClusterException when the server cannot be reached within the timeout
     */
    public <E> ProcessQueue<E> queue(String name, int maxSize) {
        return ProcessQueue.over(new RedisQueue(connection, checkName(name), checkSize(maxSize)));
    }

    /**
     * Returns the joinable queue named {@code name} (a namespace apart from {@link #queue}'s), as it is:
     * made unbounded when it does not exist. Everything said of {@link #queue(String)} holds, and:
     * <ul>
     *   <li><b>At least once.</b> An item a consumer took stays on the server, leased to that
     *       consumer's process, until it calls {@code taskDone()}. When the process dies (killed,
     *       its machine lost, cut off for longer than the {@linkplain Builder#leaseTime lease
     *       time}), its unfinished items go back to the head of the queue, taken by the next
     *       consumer that waits or by {@code join()}, so {@code join()} still returns: within
     *       about the lease time plus 250 ms. A consumer may therefore see an item twice (the
     *       first taker died, or stalled longer than the lease, before its {@code taskDone()});
     *       make the work idempotent. Items put back come before the items waiting, so the
     *       order is FIFO except that a redelivered item comes again early.</li>
     *   <li>A get fetches ahead: one call moves up to 256 items (at most half of those waiting) to
     *       this process, which hands them out one by one; they count as taken (not in
     *       {@code qsize()}, nor against the bound: a joinable queue fetches ahead even when
     *       bounded) and come back if the process dies.</li>
     *   <li>{@code taskDone()} finishes the oldest item this process got; it returns at once and
     *       its acknowledgement goes behind, like an unbounded queue's puts (in order with them):
     *       a consumer killed within a round trip of {@code taskDone()} has that item delivered
     *       again. {@code join()} and {@code unfinishedTasks()} in the same process count its own
     *       puts and acknowledgements.</li>
     *   <li>An item the allow-list refuses fails its get and counts as finished.</li>
     * </ul>
     *
     * @param name the object's name on this cluster: 1 to 200 characters, no braces, no spaces
     * @param <E> the type of the items
     * @return the joinable queue
     * @throws IllegalArgumentException when the name is not valid
     * @throws ClusterException when the server cannot be reached within the timeout
     */
    public <E> ProcessJoinableQueue<E> joinableQueue(String name) {
        return ProcessJoinableQueue.over(new RedisJoinableQueue(connection, checkName(name), -1));
    }

    /**
     * Returns the joinable queue named {@code name}, holding at most {@code maxSize} items waiting to be
     * got (see {@link #joinableQueue(String)}).
     *
     * @param name the object's name on this cluster: 1 to 200 characters, no braces, no spaces
     * @param maxSize the bound, 0 for an unbounded queue
     * @param <E> the type of the items
     * @return the joinable queue
     * @throws IllegalArgumentException when {@code maxSize} is negative, or the name is not valid
     * @throws IllegalStateException when the queue exists with another bound
     * @throws ClusterException when the server cannot be reached within the timeout
     */
    public <E> ProcessJoinableQueue<E> joinableQueue(String name, int maxSize) {
        return ProcessJoinableQueue.over(new RedisJoinableQueue(connection, checkName(name), checkSize(maxSize)));
    }

    private static int checkSize(int maxSize) {
        if (maxSize < 0) {
            throw new IllegalArgumentException("a queue's maxSize must be 0 (unbounded) or more: " + maxSize);
        }
        return maxSize;
    }

    ClusterConnection connection() {
        return connection;
    }

    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("an object's name must be 1 to 200 characters without braces or spaces: '"
                    + name + "'");
        }
        return name;
    }

    /** Options of a connection; {@link #connect()} makes it. */
    public static final class Builder {
        private final ServerAddress address;
        private final char[] password;
        private String prefix = "mp4j";
        private Duration timeout = ClusterConnection.DEFAULT_TIMEOUT;
        private Duration lease = ClusterConnection.DEFAULT_LEASE;
        private Path trustStore;
        private char[] trustStorePassword;
        private final List<String> allowedClasses = new ArrayList<>();

        private Builder(String url) {
            ServerAddress.Parsed parsed = ServerAddress.parse(url);
            this.address = parsed.address();
            this.password = parsed.password();
        }

        /**
         * Sets the prefix of every key the library writes: one per application, so that several
         * share a server without meeting. Default {@code mp4j}.
         *
         * @param prefix 1 to 64 letters, digits, {@code _ . -}
         * @return this builder
         * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code _ . -}
         */
        public Builder prefix(String prefix) {
            if (prefix == null || !PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("a key prefix is 1 to 64 letters, digits, '_', '.' or '-': '" + prefix + "'");
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * Sets how long to wait for the server: to connect, for one command's answer, and for a server
         * that went away to come back before a call fails. Default 5 s. Blocking calls with
         * their own timeouts ({@code get(timeout)}) wait as long as they were told to; one whose
         * answer is this much overdue (a frozen server, a machine gone without closing the
         * connection) is cut and re-issued on a new connection.
         *
         * @param timeout the timeout, positive
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("the timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Sets how long a lease outlives its holder's last renewal: a lock whose holder died (process
         * killed, machine gone, network cut) is free again, and an item a dead consumer took goes
         * back to its queue, within this time. Holders renew every third of it. Default 1.5 s.
         *
         * @param lease the lease time, at least 300 ms
         * @return this builder
         * @throws IllegalArgumentException when under 300 ms
         */
        public Builder leaseTime(Duration lease) {
            if (lease == null || lease.toMillis() < 300) {
                throw new IllegalArgumentException("a lease must be at least 300 ms: " + lease);
            }
            this.lease = lease;
            return this;
        }

        /**
         * Sets the trust store (PKCS12 or JKS) holding the certificates that a {@code rediss://}
         * server's certificate must chain to; without one, the JDK's default trust store (which
         * {@code -Djavax.net.ssl.trustStore} replaces: what processes that connect from
         * {@code MP4J_REDIS_URL} use). Either way the certificate must name the URL's host.
         * Read at {@link #connect()}: an unreadable store or a wrong password fails there with
         * {@link IllegalStateException}; a server that is not trusted fails to connect with
         * {@link ClusterException}, at once (it is not retried).
         *
         * @param path the trust store's file
         * @param password the trust store's password, or null when it has none (copied: the caller
         *     may clear its array)
         * @return this builder
         */
        public Builder trustStore(Path path, char[] password) {
            this.trustStore = Objects.requireNonNull(path, "path");
            this.trustStorePassword = password == null ? null : password.clone();
            return this;
        }

        /**
         * Allows classes to be deserialized from the server: the user's item and task types.
         * Patterns as {@link java.io.ObjectInputFilter.Config#createFilter}: {@code com.acme.Job}
         * (one class), {@code com.acme.*} (a package), {@code com.acme.**} (and its subpackages).
         *
         * @param patterns the class-name patterns to allow, added to those given before
         * @return this builder
         * @throws IllegalArgumentException for an empty pattern or one that rejects ({@code !})
         */
        public Builder allowClasses(String... patterns) {
            for (String p : patterns) {
                if (p == null || p.isBlank() || p.startsWith("!") || p.contains(";")) {
                    throw new IllegalArgumentException("not an allow pattern: '" + p + "'");
                }
            }
            allowedClasses.addAll(Arrays.asList(patterns));
            return this;
        }

        /**
         * Connects, and checks that the server answers. Blocks for up to the timeout.
         *
         * @return the connected cluster, to be closed
         * @throws ClusterException when the server cannot be reached within the timeout or refuses
         *     the credentials (the message names the server, never the password)
         * @throws IllegalStateException when the trust store cannot be read
         */
        public Cluster connect() {
            Server server = new Server(address, password, timeout, tlsSocketFactory());
            Cluster cluster = new Cluster(new ClusterConnection(server, prefix, allowedClasses, lease));
            LOG.log(System.Logger.Level.DEBUG, "connected to {0}, prefix {1}", cluster.server(), prefix);
            return cluster;
        }

        private SSLSocketFactory tlsSocketFactory() {
            if (trustStore == null) {
                return null;
            }
            try (InputStream in = Files.newInputStream(trustStore)) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(in, trustStorePassword);
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trust.getTrustManagers(), null);
                return context.getSocketFactory();
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot read the trust store " + trustStore + ": " + e.getMessage(), e);
            }
        }
    }
}
