package io.github.multiprocessing4j.internal.os;

import io.github.multiprocessing4j.internal.util.Uninterruptibly;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything that depends on the operating system, in one place: where shared files live, what
 * {@code /proc} says about a process, and signal numbers.
 *
 * <p>Implementation notes: Linux is the system this is written and tested on. A process is
 * identified by its pid <em>and</em> its start time, because pids are reused: the start time is
 * field 22 of {@code /proc/PID/stat} (clock ticks since boot), which is exact and cheap to read.
 * Where {@code /proc} is missing (macOS, Windows) the start instant from {@link ProcessHandle}
 * stands in, and {@code /proc}-only details (state letter, RSS) are simply absent. Porting to
 * another system means changing this class, not its callers.
 */
public final class Platform {
    /** SIGHUP. */
    public static final int SIGHUP = 1;
    /** SIGINT. */
    public static final int SIGINT = 2;
    /** SIGKILL. */
    public static final int SIGKILL = 9;
    /** SIGTERM. */
    public static final int SIGTERM = 15;

    /** How the JVM reports the exit status of a process ended by signal N: 128 + N. */
    public static final int SIGNAL_EXIT_BASE = 128;

    private static final Path PROC = Path.of("/proc");
    private static final boolean HAS_PROC = Files.isDirectory(PROC.resolve("self"));
    /** This JVM's pid and start ticks once known (0 before): neither changes while it runs. */
    private static volatile long ownPid;
    private static volatile long ownStartTicks;

    private Platform() {
    }

    /**
     * @return the pid of this JVM. Read once from {@code /proc/self} where it exists, because
     *     {@code ProcessHandle.current()} starts the JDK's process-reaper machinery, which costs a
     *     child JVM milliseconds of start-up
     */
    public static long currentPid() {
        long pid = ownPid;
        if (pid == 0) {
            pid = readOwnPid();
            ownPid = pid;
        }
        return pid;
    }

    /**
     * @return this JVM's start ticks ({@link #startTicks}), read once: a child reads them while
     *     it boots, and a spare JVM has read them before it was needed
     */
    public static long ownStartTicks() {
        long ticks = ownStartTicks;
        if (ticks == 0) {
            ticks = startTicks(currentPid()).orElse(0);
            ownStartTicks = ticks;
        }
        return ticks;
    }

    /**
     * Sends signal {@code signal} to process {@code pid} with the system's {@code kill} command
     * (Java 17 has no API for any signal but SIGTERM and SIGKILL), and waits for the command, an
     * interrupt notwithstanding (the thread's interrupt status is set again).
     *
     * @return whether the signal was delivered ({@code kill} fails when the process has gone)
     * @throws java.io.UncheckedIOException when the {@code kill} command cannot be run
     */
    public static boolean sendSignal(long pid, int signal) {
        Process kill;
        try {
            kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not run kill to send signal " + signal + " to process " + pid, e);
        }
        Uninterruptibly.run(kill::waitFor);
        return kill.exitValue() == 0;
    }

    private static long readOwnPid() {
        if (HAS_PROC) {
            try {
                return Long.parseLong(Files.readSymbolicLink(PROC.resolve("self")).getFileName().toString());
            } catch (IOException | RuntimeException e) {
                // fall through to the portable way
            }
        }
        return ProcessHandle.current().pid();
    }

    /** The system property that moves the shared-memory directory away from {@code /dev/shm}. */
    public static final String SHM_DIR_PROPERTY = "mp4j.shmDir";

    /**
     * @return the directory under which a process tree keeps its table and shared segments: the
     *     one {@value #SHM_DIR_PROPERTY} names when it is set, else {@code /dev/shm}
     *     (memory-backed) when it exists and is writable, else the temp directory (which of the
     *     two is looked at once per JVM: see {@link DefaultSharedMemoryRoot})
     */
    public static Path sharedMemoryRoot() {
        String chosen = System.getProperty(SHM_DIR_PROPERTY);
        if (chosen != null && !chosen.isEmpty()) {
            return Path.of(chosen).toAbsolutePath();
        }
        return DefaultSharedMemoryRoot.PATH;
    }

    /**
     * The shared-memory directory when {@value #SHM_DIR_PROPERTY} is not set, looked at when first
     * asked for. Not at every call: every tree's table, segment and doorbell path starts here, and
     * a look is two system calls ({@code stat}, {@code access}) behind a chain of NIO calls, which a
     * warm child ran interpreted while it rebuilt its target's shared objects (the first opening of
     * its tree's table: 100-130 µs on the 2-core development VM, of a start of 1.5-1.8 ms).
     */
    private static final class DefaultSharedMemoryRoot {
        static final Path PATH = choose();

        private static Path choose() {
            Path shm = Path.of("/dev/shm");
            if (Files.isDirectory(shm) && Files.isWritable(shm)) {
                return shm;
            }
            return Path.of(System.getProperty("java.io.tmpdir"));
        }
    }

    /**
     * @param pid a process id
     * @return a number that, together with the pid, identifies one process for its whole life
     *     (empty when the process does not exist)
     */
    public static OptionalLong startTicks(long pid) {
        if (HAS_PROC) {
            ProcStat stat = procStat(pid);
            return stat != null ? OptionalLong.of(stat.startTicks()) : OptionalLong.empty();
        }
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant())
                .map(i -> OptionalLong.of(i.toEpochMilli())).orElse(OptionalLong.empty());
    }

    /**
     * @return whether the process {@code pid} that started at {@code startTicks} (as returned by
     *     {@link #startTicks(long)}) still exists and is not a zombie
     */
    public static boolean isAlive(long pid, long startTicks) {
        if (HAS_PROC) {
            ProcStat stat = procStat(pid);
            return stat != null && stat.startTicks() == startTicks && !stat.exited();
        }
        OptionalLong now = startTicks(pid);
        return now.isPresent() && now.getAsLong() == startTicks;
    }

    /**
     * @return whether the process has exited: it is gone, or a zombie that its parent has not
     *     reaped yet (where {@code /proc} is missing: whether {@link ProcessHandle} says so)
     */
    public static boolean hasExited(long pid) {
        if (HAS_PROC) {
            ProcStat stat = procStat(pid);
            return stat == null || stat.exited();
        }
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    /** @return the one-letter state from {@code /proc} (R, S, D, Z, T, ...), when available */
    public static Optional<String> stateLetter(long pid) {
        ProcStat stat = procStat(pid);
        return stat == null ? Optional.empty() : Optional.of(String.valueOf(stat.state()));
    }

    /** @return the current parent pid of a process, when it exists */
    public static OptionalLong parentPid(long pid) {
        if (HAS_PROC) {
            ProcStat stat = procStat(pid);
            return stat != null ? OptionalLong.of(stat.parentPid()) : OptionalLong.empty();
        }
        return ProcessHandle.of(pid).flatMap(ProcessHandle::parent)
                .map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
    }

    /** @return the resident set size of a process in bytes, when available */
    public static OptionalLong residentBytes(long pid) {
        Optional<String> kib = statusField(pid, "VmRSS");
        try {
            return kib.isPresent() ? OptionalLong.of(Long.parseLong(kib.get().replace("kB", "").trim()) * 1024)
                    : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * @return whether this process ignores {@code signal} (its {@code SigIgn} mask): a process
     *     started with a signal ignored passes that on to its children; false where unknown
     */
    public static boolean ignoresSignal(int signal) {
        Optional<String> mask = statusField(currentPid(), "SigIgn");
        try {
            return mask.isPresent() && (Long.parseLong(mask.get(), 16) & 1L << (signal - 1)) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** @return the value of {@code field} in {@code /proc/PID/status}, trimmed; empty when gone or no /proc */
    private static Optional<String> statusField(long pid, String field) {
        byte[] bytes = new byte[STATUS_BYTES];
        int length = readProcFile(pid, "status", bytes);
        if (length < 0) {
            return Optional.empty(); // gone, or no /proc: the field is simply unknown
        }
        String key = field + ":";
        for (String line : new String(bytes, 0, length, StandardCharsets.ISO_8859_1).split("\n")) {
            if (line.startsWith(key)) {
                return Optional.of(line.substring(key.length()).trim());
            }
        }
        return Optional.empty();
    }

    /** @return when the process started, when known */
    public static Optional<Instant> startInstant(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
    }

    /** The fields of {@code /proc/PID/stat} read here. */
    private record ProcStat(char state, long parentPid, long startTicks) {
        /** @return whether the process has exited: a zombie (Z) or dead (X) */
        boolean exited() {
            return state == 'Z' || state == 'X';
        }
    }

    /** Enough of {@code /proc/PID/stat} for its 22nd field, whatever the command name. */
    private static final int STAT_BYTES = 512;
    /** More than {@code /proc/PID/status} holds (about 1.5 kB). */
    private static final int STATUS_BYTES = 8192;
    private static final int STAT_STATE = 3;
    private static final int STAT_PPID = 4;
    private static final int STAT_STARTTIME = 22;

    /**
     * Reads {@code /proc/PID/stat}: the fields after the command name, which is in parentheses
     * and may itself contain spaces and parentheses, so they are counted after the last ')'.
     * Read through a {@link FileInputStream} and parsed from its bytes: measured in new JVMs with
     * the children's options, {@code Files.readString} and a split took 3.0-4.6 ms the first time
     * (the JVM's first file channel) and 100-180 us after, this 0.12 ms and 25 us; the parent
     * reads a spare's start time on a warm start's path, and a lock's waiter its owner's.
     *
     * @return the fields, or null when the process does not exist (or this system has no /proc)
     */
    private static ProcStat procStat(long pid) {
        if (!HAS_PROC) {
            return null;
        }
        byte[] bytes = new byte[STAT_BYTES];
        int length = readProcFile(pid, "stat", bytes);
        if (length < 0) {
            return null; // no such process
        }
        int at = length - 1;
        while (at >= 0 && bytes[at] != ')') {
            at--;
        }
        at += 2; // the state, field 3
        if (at <= 1 || at >= length) {
            return null;
        }
        char state = (char) bytes[at];
        long parentPid = 0;
        long startTicks = -1;
        int field = STAT_STATE;
        while (at < length && field <= STAT_STARTTIME) {
            if (bytes[at] == ' ') {
                field++;
                at++;
                continue;
            }
            if (field == STAT_PPID || field == STAT_STARTTIME) {
                long value = 0;
                while (at < length && bytes[at] >= '0' && bytes[at] <= '9') {
                    value = value * 10 + bytes[at++] - '0';
                }
                if (field == STAT_PPID) {
                    parentPid = value;
                } else {
                    startTicks = value;
                }
            } else {
                at++;
            }
        }
        return startTicks < 0 ? null : new ProcStat(state, parentPid, startTicks);
    }

    /**
     * Reads {@code /proc/PID/NAME} into {@code bytes}, as much of it as they hold, through a
     * {@link FileInputStream}: no NIO channel (see {@link #procStat} for what that saves).
     *
     * @return how many bytes were read, or -1 when the file cannot be read (no such process, no /proc)
     */
    private static int readProcFile(long pid, String name, byte[] bytes) {
        int length = 0;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/" + name)) {
            int read;
            while (length < bytes.length && (read = in.read(bytes, length, bytes.length - length)) > 0) {
                length += read;
            }
        } catch (IOException e) {
            return -1;
        }
        return length;
    }
}
