package io.github.multiprocessing4j.internal.registry;


/**
 * One row of the process table: a process of the tree, as it recorded itself, or as its parent
 * recorded it while it boots ({@link State#BOOTING}).
 *
 * @param pid the process id
 * @param parentPid the pid of the process that started it (kept when that process dies)
 * @param startTicks with the pid, identifies the process (see {@code Platform.startTicks})
 * @param name the process name
 * @param daemon whether it is a daemon
 * @param state its life-cycle state
 * @param signal for {@link State#SIGNALED}: the signal that ended it, else 0
 * @param startMethod how its parent started it, {@code warm} or {@code cold}, as the parent
 *     recorded it; empty for a root, and while the parent has not recorded it
 */
public record ProcessRecord(long pid, long parentPid, long startTicks, String name, boolean daemon,
                            State state, int signal, String startMethod) {

    /**
     * Creates a record that does not say the start method: what a process writes of itself.
     *
     * @param pid the process id
     * @param parentPid the pid of the process that started it
     * @param startTicks with the pid, identifies the process
     * @param name the process name
     * @param daemon whether it is a daemon
     * @param state its life-cycle state
     * @param signal for {@link State#SIGNALED}: the signal that ended it, else 0
     */
    public ProcessRecord(long pid, long parentPid, long startTicks, String name, boolean daemon, State state,
                         int signal) {
        this(pid, parentPid, startTicks, name, daemon, state, signal, "");
    }

    /** Life-cycle states, as written in the table. */
    public enum State {
        /**
         * Started by its parent, whose record this is, and not yet recorded by itself: its JVM is
         * booting, or it died before it could record itself.
         */
        BOOTING,
        /** Running its target. */
        RUNNING,
        /** Ending normally: its shutdown hooks ran (target returned, exception, or System.exit). */
        EXITED,
        /** Ending because of a signal it received (SIGTERM, SIGINT, SIGHUP). */
        SIGNALED
    }

    /** @return the same record in another state */
    public ProcessRecord withState(State newState, int newSignal) {
        return new ProcessRecord(pid, parentPid, startTicks, name, daemon, newState, newSignal, startMethod);
    }

    /**
     * Tells whether the process wrote this record itself: its JVM booted (whether or not it still runs).
     *
     * @return false for the record its parent wrote while it booted
     */
    public boolean booted() {
        return state != State.BOOTING;
    }

    /** @return the record as the lines of its file: {@code key=value}, one a line */
    String format() {
        return "pid=" + pid + "\nparentPid=" + parentPid + "\nstartTicks=" + startTicks + "\ndaemon=" + daemon
                + "\nstate=" + state + "\nsignal=" + signal + "\nstartMethod=" + startMethod + "\nname=" + name.replace('\n', ' ')
                + "\n";
    }

    /** @return the record a file written by {@link #format()} holds */
    static ProcessRecord parse(String text) {
        java.util.Map<String, String> fields = new java.util.HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return new ProcessRecord(Long.parseLong(fields.get("pid")), Long.parseLong(fields.get("parentPid")),
                Long.parseLong(fields.get("startTicks")), fields.get("name"), Boolean.parseBoolean(fields.get("daemon")),
                State.valueOf(fields.get("state")), Integer.parseInt(fields.get("signal")),
                fields.getOrDefault("startMethod", ""));
    }
}
