package io.github.multiprocessing4j.internal.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a child's JVM is launched beyond its target: what must match for a spare to be used.
 *
 * <p>Implementation notes. {@link #equals} and {@link #hashCode} are written out: a record's
 * generated ones are linked at their first call through {@code java.lang.runtime.ObjectMethods},
 * which spins dozens of method-handle classes, and a configuration is the spares' map key, so
 * that cost fell on the first {@code start()} of a program (or its first pool's constructor)
 * (measured on the 2-core development VM: the first {@code equals} and {@code hashCode} of a
 * four-component record 57-63 ms, written out about 1 ms).
 *
 * @param jvmOptions the caller's JVM options, placed after the library's defaults
 * @param environment variables set on top of this process's environment
 * @param workingDirectory the child's working directory, or null for this process's
 * @param classPath the child's class path: as given (null to derive it) until {@code start()}
 *     resolves it ({@link #withClassPath}), absolute from then on
 */
public record LaunchConfiguration(List<String> jvmOptions, Map<String, String> environment, Path workingDirectory,
                                  String classPath) {

    public LaunchConfiguration {
        jvmOptions = List.copyOf(jvmOptions);
        environment = Map.copyOf(environment);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LaunchConfiguration that && jvmOptions.equals(that.jvmOptions)
                && environment.equals(that.environment) && Objects.equals(workingDirectory, that.workingDirectory)
                && Objects.equals(classPath, that.classPath);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jvmOptions, environment, workingDirectory, classPath);
    }

    /**
     * Returns this configuration with the child's class path resolved: what a spare must match.
     *
     * @param resolved the absolute class path
     * @return the resolved configuration
     */
    LaunchConfiguration withClassPath(String resolved) {
        return new LaunchConfiguration(jvmOptions, environment, workingDirectory, resolved);
    }

    /**
     * @return a builder of {@code commandLine} with this configuration: stdin a pipe (the
     *     lifeline), stdout and stderr this process's ({@link ChildOutput}); start it with
     *     {@link ChildOutput#start}
     */
    public ProcessBuilder processBuilder(List<String> commandLine) {
        ProcessBuilder builder = ChildOutput.redirect(new ProcessBuilder(commandLine)
                .redirectInput(ProcessBuilder.Redirect.PIPE));
        builder.environment().putAll(environment);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        return builder;
    }
}
