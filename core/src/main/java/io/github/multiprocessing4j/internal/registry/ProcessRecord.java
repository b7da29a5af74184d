package io.github.multiprocessing4j.internal.registry;

import java.util.Properties;

/**
 * One row of the process table: a process of the tree, as it recorded itself (or as its parent
 * recorded it a moment before it could).
 *
 * @param pid the process id
 * @param parentPid the pid of the process that started it (kept when that process dies)
 * @param startTicks with the pid, identifies the process (see {@code Platform.startTicks})
 * @param name the process name
 * @param daemon whether it is a daemon
 * @param state its life-cycle state
 * @param signal for {@link State#SIGNALED}: the signal that ended it, else 0
 */
public record ProcessRecord(long pid, long parentPid, long startTicks, String name, boolean daemon,
                            State state, int signal) {

    /** Life-cycle states, as written in the table. */
    public enum State {
        /** Started by the parent; the child JVM has not yet taken its target. */
        STARTING,
        /** Running its target. */
        RUNNING,
        /** Ending normally: its shutdown hooks ran (target returned, exception, or System.exit). */
        EXITED,
        /** Ending because of a signal it received (SIGTERM, SIGINT, SIGHUP). */
        SIGNALED
    }

    /** @return the same record in another state */
    public ProcessRecord withState(State newState, int newSignal) {
        return new ProcessRecord(pid, parentPid, startTicks, name, daemon, newState, newSignal);
    }

    Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("parentPid", Long.toString(parentPid));
        p.setProperty("startTicks", Long.toString(startTicks));
        p.setProperty("name", name);
        p.setProperty("daemon", Boolean.toString(daemon));
        p.setProperty("state", state.name());
        p.setProperty("signal", Integer.toString(signal));
        return p;
    }

    static ProcessRecord fromProperties(Properties p) {
        return new ProcessRecord(Long.parseLong(p.getProperty("pid")), Long.parseLong(p.getProperty("parentPid")),
                Long.parseLong(p.getProperty("startTicks")), p.getProperty("name"),
                Boolean.parseBoolean(p.getProperty("daemon")), State.valueOf(p.getProperty("state")),
                Integer.parseInt(p.getProperty("signal")));
    }
}
