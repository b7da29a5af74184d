package io.github.multiprocessing4j.cli;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cli's packages depend on each other one way only: the command ({@code cli}) on everything,
 * {@code tour} on {@code lesson} (its chapters run the lessons) and {@code support}, {@code lesson}
 * on {@code support}; {@code ps} and {@code support} on no other cli package. Checked on the
 * compiled classes, so that an arrow back (a lesson reaching for a chapter's helper) fails the
 * build with the class that drew it.
 *
 * <p>Implementation notes. Every class name a class file mentions, in a class reference or inside
 * a field or method descriptor or generic signature, is an entry of its constant pool in the
 * internal form {@code io/github/...}, so scanning the pool's UTF-8 entries finds every type the
 * class uses (and only types: string literals in the cli are not written with slashes).
 */
class PackageLayersTest {
    private static final String CLI = "io/github/multiprocessing4j/cli";
    private static final Pattern CLI_CLASS = Pattern.compile(Pattern.quote(CLI) + "(?:/[\\w$]+)+");

    /** Which other cli packages each cli package may use; "" is {@code io.github.multiprocessing4j.cli} itself. */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "", Set.of("tour", "lesson", "ps", "support"),
            "tour", Set.of("lesson", "support"),
            "lesson", Set.of("support"),
            "ps", Set.of(),
            "support", Set.of());

    @Test
    void everyArrowBetweenTheCliPackagesPointsDownTheLayers() throws IOException {
        assertThat(violations(compiledClasses(), ALLOWED)).isEmpty();
    }

    @Test
    void anArrowAgainstTheLayersIsReportedWithTheClassThatDrewIt() throws IOException {
        Map<String, Set<String>> lessonsMayNotUseSupport = new HashMap<>(ALLOWED);
        lessonsMayNotUseSupport.put("lesson", Set.of());

        assertThat(violations(compiledClasses(), lessonsMayNotUseSupport)).contains(
                "io.github.multiprocessing4j.cli.lesson.IpcLesson -> io.github.multiprocessing4j.cli.support.Narrator"
                        + " (lesson may use only [])");
    }

    @Test
    void aPackageMissingFromTheTableIsReported() throws IOException {
        Map<String, Set<String>> withoutPs = new HashMap<>(ALLOWED);
        withoutPs.remove("ps");

        assertThat(violations(compiledClasses(), withoutPs)).contains(
                "io.github.multiprocessing4j.cli.ps.PsCommand: the package ps is not in PackageLayersTest.ALLOWED;"
                        + " add it with the cli packages it may use");
    }

    /**
     * @param classes the class files, by internal class name ("io/github/.../Narrator")
     * @return "a.B -> c.D (a may use only [...])" for every reference from one cli package to
     *     another that {@code allowed} does not list, sorted
     */
    static SortedSet<String> violations(Map<String, Path> classes, Map<String, Set<String>> allowed) throws IOException {
        SortedSet<String> found = new TreeSet<>();
        for (Map.Entry<String, Path> entry : classes.entrySet()) {
            String from = cliPackage(entry.getKey());
            Set<String> mayUse = allowed.get(from);
            if (mayUse == null) {
                found.add(dotted(entry.getKey()) + ": the package " + from + " is not in PackageLayersTest.ALLOWED;"
                        + " add it with the cli packages it may use");
                continue;
            }
            for (String target : referencedCliClasses(entry.getValue())) {
                String to = cliPackage(target);
                if (!to.equals(from) && !mayUse.contains(to)) {
                    found.add(dotted(entry.getKey()) + " -> " + dotted(target) + " (" + from + " may use only "
                            + new TreeSet<>(mayUse) + ")");
                }
            }
        }
        return found;
    }

    /** @return the cli's compiled main classes (not the tests'), by internal class name */
    static Map<String, Path> compiledClasses() throws IOException {
        Path root;
        try {
            root = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        assertThat(root).as("the cli's classes should be a directory (target/classes)").isDirectory();
        try (Stream<Path> files = Files.walk(root.resolve(CLI))) {
            Map<String, Path> classes = files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toMap(
                    f -> root.relativize(f).toString().replace('\\', '/').replaceFirst("\\.class$", ""), f -> f));
            assertThat(classes).as("compiled classes under " + root).containsKey(CLI + "/Main");
            return classes;
        }
    }

    /** @return the cli classes a class file refers to, in internal form, itself included */
    static Set<String> referencedCliClasses(Path classFile) throws IOException {
        Set<String> classes = new TreeSet<>();
        for (String utf8 : constantPoolStrings(classFile)) {
            Matcher m = CLI_CLASS.matcher(utf8);
            while (m.find()) {
                classes.add(m.group());
            }
        }
        return classes;
    }

    /** @return the UTF-8 entries of a class file's constant pool (JVMS 4.4) */
    private static List<String> constantPoolStrings(Path classFile) throws IOException {
        try (InputStream file = Files.newInputStream(classFile); DataInputStream in = new DataInputStream(file)) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + " is not a class file");
            }
            in.readUnsignedShort(); // minor version
            in.readUnsignedShort(); // major version
            int count = in.readUnsignedShort();
            List<String> strings = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> strings.add(in.readUTF()); // Utf8: u2 length + modified UTF-8, as readUTF reads it
                    case 7, 8, 16, 19, 20 -> in.skipNBytes(2); // Class, String, MethodType, Module, Package
                    case 15 -> in.skipNBytes(3); // MethodHandle
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4); // Integer, Float, refs, NameAndType, (Invoke)Dynamic
                    case 5, 6 -> { // Long, Double: take two entries
                        in.skipNBytes(8);
                        i++;
                    }
                    default -> throw new IOException(classFile + ": unknown constant pool tag " + tag + " at entry " + i);
                }
            }
            return strings;
        }
    }

    /** @return "tour" for io/github/multiprocessing4j/cli/tour/X, "" for io/github/multiprocessing4j/cli/Main */
    private static String cliPackage(String internalName) {
        String pkg = internalName.substring(0, internalName.lastIndexOf('/'));
        return pkg.equals(CLI) ? "" : pkg.substring(CLI.length() + 1).replace('/', '.');
    }

    private static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }
}
