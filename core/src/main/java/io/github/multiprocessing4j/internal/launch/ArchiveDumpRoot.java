package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.util.Log;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Has the class-data archive of a class path with directories dumped by a program of its own: a
 * JVM started on the class path's jars before its directories and this library's alone
 * ({@link JarsFirstClassPath#jars}), whose one child, started with the caller's options, dumps the
 * archive as any first child of a class path of jars does ({@link ClassDataSharing}).
 *
 * <p>Implementation notes. A JVM cannot dump an archive with a non-empty directory on its class
 * path (JDK 17 refuses to boot), and a user's child needs the directories: its target's classes
 * are there. So the dump is nobody's child: this JVM starts the program ({@value #MAIN_CLASS}, in
 * the API layer) in the background, and the program's child (an empty target; the training of
 * {@link ArchiveTraining} runs as it exits) writes the archive under the key of the jars and the
 * options, where the next start of this JVM's children looks for it. The program is a tree of its
 * own, not in this JVM's: it appears in no process table of the user's, and it is not this
 * JVM's child either ({@code setsid -f} starts it in a session of its own, its parent gone at
 * once), since nothing waits for it or ends it with this JVM: a program that ends within a second
 * would otherwise never get its archive. It runs at the lowest scheduling priority, as it
 * competes with the program whose start asked for it. It ends by itself once the archive is
 * written (a few seconds), and ends its child if that takes minutes. A JVM claims the dump in the
 * archive directory before it starts the program ({@link ClassDataSharing}), so that programs
 * started one after the other before the archive is there start one dump, not one each.
 */
final class ArchiveDumpRoot {
    /** The program that dumps: a class of the API layer, named here as the launch layer may not refer to it. */
    static final String MAIN_CLASS = "io.github.multiprocessing4j.ArchiveDumpProgram";
    private static final Path NICE = Path.of("/usr/bin/nice");
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private ArchiveDumpRoot() {
    }

    /**
     * Starts the program that dumps the archive; it ends by itself.
     *
     * @param jars the class path to dump the archive with: jars only
     * @param callerOptions the caller's JVM options for the children that will map the archive
     */
    static void start(String jars, List<String> callerOptions) {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.addAll(List.of(SETSID.toString(), "-f")); // forks: the program is no process's child
        }
        if (Files.isExecutable(NICE)) {
            command.addAll(List.of(NICE.toString(), "-n", "19"));
        }
        command.add(ChildCommand.javaExecutable());
        command.addAll(ChildCommand.DEFAULT_JVM_OPTIONS);
        command.addAll(ChildCommand.treeProperties());
        command.addAll(List.of("-cp", jars, MAIN_CLASS));
        command.addAll(callerOptions);
        try {
            new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            Log.of(ArchiveDumpRoot.class).log(System.Logger.Level.DEBUG, "no class-data archive: " + e);
        }
    }
}
