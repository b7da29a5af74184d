package io.github.multiprocessing4j.cli.worker;

import io.github.multiprocessing4j.cli.support.RedisUrl;
import io.github.multiprocessing4j.redis.WorkerAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code mp4j worker}: runs a worker agent ({@link WorkerAgent}) on this machine, with the
 * application's jars on its class path.
 *
 * <p>Implementation notes. The agent runs in a JVM of its own, started as
 * {@code java -cp <mp4j's class path>:<--class-path> AgentMain ...}, not in this one with a class
 * loader over the application's jars: the agent's workers are child JVMs that inherit the agent
 * JVM's class path (the {@code java.class.path} property), never a class loader's, so only a JVM
 * started with the jars on its class path gives them the application's classes; and that JVM is
 * then exactly what {@code java -cp app.jar:mp4j.jar WorkerAgent} would be. This process acts as
 * an {@code exec}: its output is the agent's, its exit code the agent's; SIGTERM, SIGINT or SIGHUP
 * here (the JVM's shutdown) sends SIGTERM to the agent by its pid and waits for it to close its
 * workers; if this process is killed outright, the agent's standard input, a pipe from here,
 * ends, and the agent stops by itself ({@link AgentMain}). The server URL, which may carry a
 * password, goes to the agent in the environment ({@value RedisUrl#VARIABLE}), never on its
 * command line, which every user of the machine can read.
 */
@Command(name = "worker",
        description = {"Runs a worker agent: this machine's share of a cluster's process pools.",
                "The agent registers on the Redis server, takes the workers that pools "
                        + "(ProcessPool.builder().cluster(cluster)) place, up to --processes at once, and runs them as "
                        + "its own child processes with the application's jars (--class-path) on their class path. "
                        + "It heartbeats; if it dies, its pools count its workers as dead within the lease time. "
                        + "SIGTERM or Ctrl-C stops it and its workers. Keep the password off the command line: set "
                        + RedisUrl.VARIABLE + " instead of --redis."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped", "1:the server cannot be reached or refused the credentials",
                "2:wrong usage", "143:stopped by SIGTERM"})
public final class WorkerCommand implements Callable<Integer> {
    /** How long a stopping agent may take to end its workers and unregister before it is killed. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    /** The agent only places workers and talks to the server: a small, quickly started JVM does. */
    private static final List<String> AGENT_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    @Spec
    private CommandSpec spec;

    @Option(names = "--redis", paramLabel = "URL",
            description = "The server: redis[s]://[user:password@]host[:port][/db] (default: the environment "
                    + "variable " + RedisUrl.VARIABLE + ").")
    private String redis;

    @Option(names = "--processes", paramLabel = "N",
            description = "The most workers it runs at once (default: this machine's processors).")
    private Integer processes;

    @Option(names = {"--class-path", "-cp"}, paramLabel = "PATH",
            description = "The application's jars or class directories, separated by ':' (';' on Windows); "
                    + "repeatable. Workers run only classes found there or in mp4j.")
    private List<String> classPath = new ArrayList<>();

    @Option(names = "--allow", paramLabel = "PATTERN", split = ",",
            description = "Classes the workers may deserialize from the server besides the library's and the JDK's "
                    + "value types: com.acme.Job, com.acme.* (a package), com.acme.** (and subpackages). Repeatable.")
    private List<String> allow = new ArrayList<>();

    @Option(names = "--prefix", paramLabel = "P", description = "The application's key prefix (default: mp4j).")
    private String prefix;

    @Option(names = "--lease-ms", paramLabel = "MS",
            description = "The agent's lease: pools count its workers as dead this long after it died (default: 1500).")
    private Long leaseMillis;

    /** The URL the agent gets in its environment: {@code --redis}'s, else the environment's. */
    private String resolvedUrl;

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<String> command = agentCommand();
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE) // the lifeline
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put(RedisUrl.VARIABLE, resolvedUrl);
        Process agent = builder.start();
        Thread stopAgent = new Thread(() -> stop(agent), "mp4j-worker-stop");
        Runtime.getRuntime().addShutdownHook(stopAgent);
        int exit = agent.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stopAgent);
        } catch (IllegalStateException e) {
            // this JVM is shutting down: the hook has stopped the agent
        }
        return exit;
    }

    /** Checks every argument here, so that a mistake is one line and exit code 2 before any JVM starts. */
    private List<String> agentCommand() {
        List<String> args = new ArrayList<>();
        try {
            resolvedUrl = RedisUrl.resolve(redis);
            WorkerAgent.Builder check = WorkerAgent.builder(resolvedUrl);
            if (processes != null) {
                check.processes(processes);
                args.addAll(List.of("--processes", processes.toString()));
            }
            if (prefix != null) {
                check.prefix(prefix);
                args.addAll(List.of("--prefix", prefix));
            }
            if (leaseMillis != null) {
                check.leaseTime(Duration.ofMillis(leaseMillis));
                args.addAll(List.of("--lease-ms", leaseMillis.toString()));
            }
            if (!allow.isEmpty()) {
                check.allowClasses(allow.toArray(new String[0]));
                args.addAll(List.of("--allow", String.join(",", allow)));
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(AGENT_JVM_OPTIONS);
        command.add("-cp");
        command.add(agentClassPath());
        command.add(AgentMain.class.getName());
        command.addAll(args);
        return command;
    }

    /** @return this JVM's class path (mp4j's jar, or the build's classes), then the application's, absolute */
    private String agentClassPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String own : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!own.isEmpty()) {
                entries.add(Path.of(own).toAbsolutePath().toString());
            }
        }
        for (String option : classPath) {
            for (String entry : option.split(File.pathSeparator)) {
                if (entry.isEmpty()) {
                    continue;
                }
                Path path = Path.of(entry).toAbsolutePath().normalize();
                if (!Files.exists(path)) {
                    throw new ParameterException(spec.commandLine(), "--class-path: no such file or directory: " + entry);
                }
                if (!Files.isReadable(path)) {
                    throw new ParameterException(spec.commandLine(), "--class-path: cannot read " + entry);
                }
                entries.add(path.toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** SIGTERM to the agent, by its pid, and a wait for it to close; SIGKILL if it does not end in time. */
    private static void stop(Process agent) {
        // Through its handle: Process.destroy() would also close the agent's standard input, the
        // lifeline, and the agent would take that for this process's death.
        agent.toHandle().destroy();
        try {
            if (!agent.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                agent.destroyForcibly();
            }
        } catch (InterruptedException e) {
            agent.destroyForcibly();
        }
    }
}
