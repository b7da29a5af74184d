package io.github.multiprocessing4j.redis.internal.sync;

import io.github.multiprocessing4j.redis.internal.connection.ClusterConnection;
import io.github.multiprocessing4j.redis.internal.connection.ClusterHandle;
import io.github.multiprocessing4j.redis.internal.connection.Lease;
import io.github.multiprocessing4j.redis.internal.connection.LuaScript;
import io.github.multiprocessing4j.redis.internal.connection.Server;

import io.github.multiprocessing4j.spi.EventBackend;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link io.github.multiprocessing4j.ProcessEvent} on the server.
 *
 * <p>Keys, all in the slot of {@code {name}}:
 * <pre>
 *  flag       "1" while set; absent while clear
 *  waiters    set of the notification lists of the threads waiting now
 *  w:...      one notification list per waiting thread ("w:processId:threadId:n")
 * </pre>
 *
 * <p>Implementation notes. An event wakes every waiter, so each waiter blocks ({@code BLPOP}) on
 * a list of its own, registered in {@code waiters} by the same script that found the flag clear;
 * {@code set} pushes onto every registered list and empties the set in one script, so a waiter
 * is either registered before the set (and woken) or finds the flag set. The lists are named by
 * the scripts, not declared as keys: they share the event's hash slot, which is what a Redis
 * Cluster needs. A waiter that leaves (timeout, interrupt) unregisters and takes a notification
 * that raced with its leaving as a success; a waiter that dies stays registered until the next
 * {@code set}, which pushes onto its list with a TTL so nothing lingers.
 */
public final class RedisEvent extends ClusterHandle implements EventBackend {
    private static final long serialVersionUID = 1L;
    private static final AtomicLong WAIT_NUMBERS = new AtomicLong();
    /** How long a notification list outlives a set that pushed onto it (a dead waiter's list). */
    private static final String LIST_TTL_MILLIS = "60000";

    /** KEYS flag, waiters. */
    private static final LuaScript SET = new LuaScript("""
            redis.call('SET', KEYS[1], '1')
            local waiting = redis.call('SMEMBERS', KEYS[2])
            for _, list in ipairs(waiting) do
              redis.call('RPUSH', list, '1')
              redis.call('PEXPIRE', list, ARGV[1])
            end
            redis.call('DEL', KEYS[2])
            return #waiting
            """);
    /** KEYS flag, waiters, list. Returns 1 when set, else 0 (and the caller is registered). */
    private static final LuaScript WAIT = new LuaScript("""
            if redis.call('GET', KEYS[1]) then return 1 end
            redis.call('SADD', KEYS[2], KEYS[3])
            return 0
            """);
    /** KEYS flag, waiters, list. Returns 1 when woken or set meanwhile. */
    private static final LuaScript LEAVE = new LuaScript("""
            redis.call('SREM', KEYS[2], KEYS[3])
            local woken = redis.call('LPOP', KEYS[3])
            redis.call('DEL', KEYS[3])
            if woken or redis.call('GET', KEYS[1]) then return 1 end
            return 0
            """);

    private final String flag;
    private final String waiters;

    public RedisEvent(ClusterConnection connection, String name) {
        super(connection, name);
        this.flag = connection.key("event", name, "flag");
        this.waiters = connection.key("event", name, "waiters");
    }

    @Override
    public void set() {
        connection().server().call("set event " + name, j -> SET.run(j, List.of(flag, waiters), List.of(LIST_TTL_MILLIS)));
    }

    @Override
    public void clear() {
        connection().server().call("clear event " + name, j -> j.del(flag));
    }

    @Override
    public boolean isSet() {
        return connection().server().call("look at event " + name, j -> j.exists(flag));
    }

    @Override
    public boolean await(long timeoutNanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (timeoutNanos == 0) {
            return isSet();
        }
        Server server = connection().server();
        String list = connection().key("event", name, "w:" + Lease.currentOwner() + ":" + WAIT_NUMBERS.incrementAndGet());
        List<String> keys = List.of(flag, waiters, list);
        if ((Long) server.call("wait for event " + name, j -> WAIT.run(j, keys, List.of())) == 1) {
            return true;
        }
        boolean left = false;
        try {
            // One wait for the whole timeout: callBlocking slices it, rides out a restart and answers interrupts.
            if (server.callBlocking("wait for event " + name, timeoutNanos, (j, seconds) -> j.blpop(seconds, list)) != null) {
                left = true;
                return true; // set() took us off the waiters and the list is empty again
            }
            left = true;
            return leave(server, keys); // a set that raced with the timeout counts
        } catch (InterruptedException e) {
            left = true;
            leave(server, keys);
            throw e;
        } finally {
            if (!left) { // the server failed mid-wait: do not stay registered
                try {
                    leave(server, keys);
                } catch (RuntimeException ignored) {
                    // the server is away; a dead registration is cleaned at the next set
                }
            }
        }
    }

    private boolean leave(Server server, List<String> keys) {
        return (Long) server.call("stop waiting for event " + name, j -> LEAVE.run(j, keys, List.of())) == 1;
    }

    @Override
    public void close() {
        connection().server().call("delete event " + name, j -> j.del(flag, waiters));
    }

    @Override
    public String toString() {
        return "event '" + name + "' on " + ref;
    }
}
