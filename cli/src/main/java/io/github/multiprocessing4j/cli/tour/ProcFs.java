package io.github.multiprocessing4j.cli.tour;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code /proc} tells about a process from the outside: whether it exists, runs or is a
 * zombie, and who its parent is now. For the chapters that show what the kernel does with
 * processes (zombies, orphans), which the library's own view does not show.
 *
 * <p>Implementation notes. In {@code /proc/PID/stat} the command name (field 2) is in parentheses
 * and may itself contain spaces and parentheses, so the other fields are counted from the last
 * ')'.
 */
final class ProcFs {
    private static final Path PROC = Path.of("/proc");

    private ProcFs() {
    }

    /**
     * What {@code /proc/PID/stat} says about a process.
     *
     * @param state the one-letter state: R running, S sleeping, Z zombie, ...
     * @param parentPid the pid of its current parent
     */
    record ProcStat(String state, long parentPid) {
        /** @return whether the process has exited and waits to be reaped by its parent */
        boolean isZombie() {
            return "Z".equals(state);
        }
    }

    /** @return whether this system has a Linux-style {@code /proc} */
    static boolean exists() {
        return Files.isDirectory(PROC.resolve("self"));
    }

    /** @return the process's state and parent, or empty when it has no {@code /proc} entry */
    static Optional<ProcStat> stat(long pid) {
        return stat(PROC.resolve(Long.toString(pid)).resolve("stat"));
    }

    /** @return this process's current parent pid, as the kernel sees it now (not as it was at start) */
    static long currentParentPid() {
        return stat(PROC.resolve("self").resolve("stat")).map(ProcStat::parentPid)
                .orElseGet(() -> ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L));
    }

    private static Optional<ProcStat> stat(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new ProcStat(fields[0], Long.parseLong(fields[1])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone (or no /proc): the caller treats both as "no entry"
        }
    }

    /** @return whether the process has a {@code /proc} entry, zombie or not */
    static boolean hasEntry(long pid) {
        return Files.exists(PROC.resolve(Long.toString(pid)));
    }

    /** @return whether the process exists and has not exited: a zombie is not running */
    static boolean isRunning(long pid) {
        return stat(pid).map(s -> !s.isZombie() && !"X".equals(s.state())).orElse(false);
    }

    /** @return "pid N (command)", naming the process when {@code /proc} tells its command */
    static String describe(long pid) {
        try {
            return "pid " + pid + " (" + Files.readString(PROC.resolve(Long.toString(pid)).resolve("comm")).strip() + ")";
        } catch (IOException e) {
            return "pid " + pid;
        }
    }
}
