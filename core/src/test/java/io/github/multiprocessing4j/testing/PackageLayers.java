package io.github.multiprocessing4j.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks that the packages of a module's compiled classes depend on each other only as a table
 * allows: the architecture tests of core and cli fail, naming the class that drew it, when
 * someone adds an arrow against the layers.
 *
 * <p>Implementation notes. Every class name a class file mentions, in a class reference or inside
 * a field or method descriptor or generic signature, is an entry of its constant pool in the
 * internal form {@code io/github/...}, so scanning the pool's UTF-8 entries finds every type the
 * class uses, with no tool and no dependency. A string literal written with slashes that looks
 * like a class of the module would count too; the modules have none.
 */
public final class PackageLayers {
    private final Path root;
    private final String base;
    private final Pattern classOfBase;

    private PackageLayers(Path root, String basePackage) {
        this.root = root;
        this.base = basePackage.replace('.', '/');
        this.classOfBase = Pattern.compile(Pattern.quote(base) + "(?:/[\\w$]+)+");
    }

    /**
     * @param anyClass a class of the module to check, loaded from its {@code target/classes}
     * @param basePackage the module's root package; packages are named relative to it
     * @return the checker of that module's compiled classes
     */
    public static PackageLayers of(Class<?> anyClass, String basePackage) {
        try {
            Path root = Path.of(anyClass.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isDirectory(root)) {
                throw new IllegalStateException(anyClass + " was not loaded from a directory of classes: " + root);
            }
            return new PackageLayers(root, basePackage);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param topFirst package names relative to the base package ("" for the base package
     *     itself), from the top layer to the bottom one; a package may use those below it
     * @return the table {@link #violations} takes
     */
    public static Map<String, Set<String>> layered(List<String> topFirst) {
        Map<String, Set<String>> allowed = new LinkedHashMap<>();
        for (int i = 0; i < topFirst.size(); i++) {
            allowed.put(topFirst.get(i), Set.copyOf(topFirst.subList(i + 1, topFirst.size())));
        }
        return allowed;
    }

    /**
     * @param allowed for each package (relative to the base package, "" for itself), the other
     *     packages its classes may use
     * @return "a.B -> c.D (a may use only [...])" for every reference between two packages that
     *     {@code allowed} does not list, and "a.B: the package a is not in the table" for classes of
     *     a package it does not know, sorted
     */
    public SortedSet<String> violations(Map<String, Set<String>> allowed) {
        SortedSet<String> found = new TreeSet<>();
        compiledClasses().forEach((name, file) -> {
            String from = packageOf(name);
            Set<String> mayUse = allowed.get(from);
            if (mayUse == null) {
                found.add(dotted(name) + ": the package " + label(from) + " is not in the table;"
                        + " add it with the packages it may use");
                return;
            }
            for (String target : referencedClasses(file)) {
                String to = packageOf(target);
                if (!to.equals(from) && !mayUse.contains(to)) {
                    found.add(dotted(name) + " -> " + dotted(target) + " (" + label(from) + " may use only "
                            + new TreeSet<>(mayUse) + ")");
                }
            }
        });
        return found;
    }

    /** @return the module's compiled classes under the base package, by internal class name */
    private Map<String, Path> compiledClasses() {
        try (Stream<Path> files = Files.walk(root.resolve(base))) {
            Map<String, Path> classes = files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toMap(
                    f -> root.relativize(f).toString().replace('\\', '/').replaceFirst("\\.class$", ""),
                    f -> f, (a, b) -> a, TreeMap::new));
            if (classes.isEmpty()) {
                throw new IllegalStateException("no compiled classes under " + root.resolve(base));
            }
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Set<String> referencedClasses(Path classFile) {
        Set<String> classes = new TreeSet<>();
        for (String utf8 : constantPoolStrings(classFile)) {
            Matcher m = classOfBase.matcher(utf8);
            while (m.find()) {
                classes.add(m.group());
            }
        }
        return classes;
    }

    /** @return the UTF-8 entries of a class file's constant pool (JVMS 4.4) */
    private static List<String> constantPoolStrings(Path classFile) {
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return "internal.sync" for {base}/internal/sync/X, "" for {base}/X */
    private String packageOf(String internalName) {
        String pkg = internalName.substring(0, internalName.lastIndexOf('/'));
        return pkg.equals(base) ? "" : pkg.substring(base.length() + 1).replace('/', '.');
    }

    private String label(String relativePackage) {
        return relativePackage.isEmpty() ? dotted(base) : relativePackage;
    }

    private static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }
}
