package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The class path of a child JVM: the one given, or one derived from where this JVM's classes
 * were loaded, every entry absolute; and the check, at {@code start()}, that the child will find
 * its target's class.
 *
 * <p>The rule. A class path given for the child (the builder's, else the system property
 * {@value #PROPERTY} of this JVM) is used as it is, its relative entries made absolute against
 * this JVM's working directory. Otherwise the child's class path is this JVM's
 * {@code java.class.path}, then, for the classes of this library, the class of the target (for a
 * lambda, the class that wrote it) and the calling thread's context class loader, when their
 * loader is not the JVM's application class loader: the URLs of that loader and of its parents
 * ({@link URLClassLoader}s, parents first) and the directory or jar the class itself came from.
 * Entries are absolute and appear once, in that order. Loader URLs that are not files (a jar
 * inside a jar) are left out.
 *
 * <p>The check. A class the child cannot load fails {@code start()} with one line naming it,
 * before any JVM is launched: a class without a class file (a hidden class, a class that jshell
 * or another loader defined from bytes in memory; not one defined into the JVM's own loaders
 * through {@code Lookup.defineClass}, which passes and fails in the child) always; with a derived
 * class path, also a class
 * loaded from something that is not a directory or a jar file on disk (a Spring Boot executable
 * jar's nested jars), and this library's own classes loaded from such a place.
 *
 * <p>Implementation notes. This runs on every start, so its work is memoised: a class's origin
 * and a lambda's capturing class once per class ({@link ClassValue}), a class path's absolute form
 * once per text, a loader URL's entry once per URL; a plain {@code java -cp} program (no class
 * loader of its own) gets this JVM's class path without more. The application class loader's
 * classes add nothing: the JVM found them through
 * {@code java.class.path} (the jars a manifest's {@code Class-Path} names included, as in Maven
 * Surefire's manifest-only jar), which the child gets. Only the target's class (or the lambda's
 * capturing class) is checked, not the classes of the values it captures: a missing one of those
 * still fails in the child, as the target's {@link ClassNotFoundException}.
 */
public final class ChildClassPath {
    /** The system property that gives every child of this JVM its class path, unless its builder does. */
    public static final String PROPERTY = "mp4j.classPath";

    private static final String HOW_TO_FIX = "give the child's class path explicitly (the builder's classPath(...)"
            + " or -D" + PROPERTY + "=...)";
    private static final ClassValue<Origin> ORIGINS = new ClassValue<>() {
        @Override
        protected Origin computeValue(Class<?> type) {
            return Origin.of(type);
        }
    };
    /** Class paths made absolute, by their original text: a JVM has few (its own, the ones it gives). */
    private static final Map<String, String> ABSOLUTE = new ConcurrentHashMap<>();
    private static final int ABSOLUTE_KEPT = 64;
    /** The class whose class file a child needs first, by the target's class: for a lambda, its capturing class. */
    private static final ClassValue<Class<?>[]> FIRST_CLASSES = new ClassValue<>() {
        @Override
        protected Class<?>[] computeValue(Class<?> type) {
            return new Class<?>[1]; // filled by classOf, which has the instance a lambda's recipe needs
        }
    };
    /** Class loaders' URLs as absolute class-path entries; "" for a URL that is no file. */
    private static final Map<String, String> URL_ENTRIES = new ConcurrentHashMap<>();

    private ChildClassPath() {
    }

    /**
     * Where a class was loaded from, as far as a child's class path is concerned.
     *
     * @param entry the directory or jar to put on a child's class path, or null when this JVM's
     *     class path or the JDK has it
     * @param noClassFile why the class has no class file at all, or null when it has one
     * @param notOnDisk why a child cannot have the class's origin on its class path, or null
     */
    private record Origin(String entry, String noClassFile, String notOnDisk) {
        static Origin of(Class<?> type) {
            if (type.isHidden()) {
                return new Origin(null, "is a hidden class, which has no class file", null);
            }
            ClassLoader loader = type.getClassLoader();
            if (loader == null) {
                return new Origin(null, null, null);
            }
            java.security.CodeSource source = type.getProtectionDomain().getCodeSource();
            boolean jvmsLoader = loader == ClassLoader.getSystemClassLoader() || loader == ClassLoader.getPlatformClassLoader();
            if (jvmsLoader && source != null && source.getLocation() != null) {
                // The JVM's loaders define classes from the files their code source names (the
                // class path's, the modules'). Asked of them, the resource lookup below searches
                // every module of the JDK first, which costs a program's first start
                // milliseconds (the JDK's module image opened). A class injected into them at
                // runtime (Lookup.defineClass) passes here, and fails in the child as missing.
                return new Origin(null, null, null);
            }
            String resourceName = type.getName().replace('.', '/') + ".class";
            URL resource = loader.getResource(resourceName);
            if (resource == null || source == null || source.getLocation() == null) {
                return new Origin(null, "has no class file: it was defined at runtime by " + loader.getClass().getName()
                        + (loader.getClass().getName().startsWith("jdk.jshell.") ? " (jshell keeps its classes in memory)" : ""),
                        null);
            }
            if (jvmsLoader) {
                return new Origin(null, null, null);
            }
            String entry = entryOf(resource, resourceName);
            if (entry != null) {
                return new Origin(entry, null, null);
            }
            String kind = "jar".equals(resource.getProtocol())
                    ? "a jar inside a jar (as in a Spring Boot executable jar), which a child JVM cannot put on its class path:"
                    + " run the application unpacked, or "
                    : "not a directory or jar file that a child JVM can put on its class path: ";
            return new Origin(null, null, "was loaded from " + resource + ", " + kind + HOW_TO_FIX);
        }
    }

    /**
     * Returns the class path of a child that runs {@code target}, checking that the child can load
     * the target's class.
     *
     * @param explicit the class path given for this child (its builder's), or null for the system
     *     property {@value #PROPERTY}, or when that is not set either, the derived one
     * @param target the child's target
     * @param what the child, as the message should name it ("process NAME")
     * @return the class path, entries separated by {@link File#pathSeparator}, every one absolute
     * @throws IllegalStateException when the child could not load the target's class or this
     *     library's: the one-line message names the class, the cause and what to do
     */
    public static String resolve(String explicit, Object target, String what) {
        Class<?> targetClass = classOf(target);
        Origin targetOrigin = ORIGINS.get(targetClass);
        String given = explicit != null ? explicit : System.getProperty(PROPERTY);
        if (targetOrigin.noClassFile != null) {
            throw cannotStart(what, "class " + targetClass.getName(), targetOrigin.noClassFile
                    + "; a child JVM can only run a target whose class was compiled to a class file on its class path");
        }
        if (given != null) {
            return absolute(given);
        }
        Origin library = ORIGINS.get(ChildMain.class);
        if (library.notOnDisk != null) {
            throw cannotStart(what, "multiprocessing4j (its class " + ChildMain.class.getName() + ")", library.notOnDisk);
        }
        if (targetOrigin.notOnDisk != null) {
            throw cannotStart(what, "class " + targetClass.getName(), targetOrigin.notOnDisk);
        }
        String base = absolute(System.getProperty("java.class.path", ""));
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (isTheJvms(ChildMain.class.getClassLoader()) && isTheJvms(targetClass.getClassLoader()) && isTheJvms(context)) {
            return base; // a plain java -cp: the usual case, and on the path of every start
        }
        Set<String> entries = new LinkedHashSet<>();
        if (!base.isEmpty()) {
            entries.addAll(List.of(base.split(File.pathSeparator)));
        }
        addLoadedFrom(entries, ChildMain.class.getClassLoader(), library);
        addLoadedFrom(entries, targetClass.getClassLoader(), targetOrigin);
        addLoadedFrom(entries, context, null);
        return String.join(File.pathSeparator, entries);
    }

    /** @return whether {@code loader} is the JVM's (bootstrap, platform or application), whose classes its class path has */
    private static boolean isTheJvms(ClassLoader loader) {
        return loader == null || loader == ClassLoader.getSystemClassLoader() || loader == ClassLoader.getPlatformClassLoader();
    }

    /**
     * Makes every entry of a class path absolute, against this JVM's working directory; an empty
     * entry between two separators is the working directory, as for {@code java -cp}.
     *
     * @param classPath entries separated by {@link File#pathSeparator}
     * @return the same entries, absolute
     */
    public static String absolute(String classPath) {
        String known = ABSOLUTE.get(classPath);
        if (known != null) {
            return known;
        }
        Set<String> entries = new LinkedHashSet<>();
        if (!classPath.isEmpty()) { // no class path at all (a JVM started with -m): the child gets none either
            for (String entry : classPath.split(File.pathSeparator, -1)) {
                entries.add(absoluteEntry(entry));
            }
        }
        String absolute = String.join(File.pathSeparator, entries);
        if (ABSOLUTE.size() >= ABSOLUTE_KEPT) {
            ABSOLUTE.clear(); // a program that gives every child another class path: recomputing is cheap enough
        }
        ABSOLUTE.put(classPath, absolute);
        return absolute;
    }

    /** @return the class a child loads first to rebuild {@code target}: for a lambda, its capturing class */
    private static Class<?> classOf(Object target) {
        Class<?> type = target.getClass();
        Class<?>[] known = FIRST_CLASSES.get(type);
        if (known[0] != null) {
            return known[0];
        }
        String first = Serialization.firstClassOf(target);
        Class<?> found = type;
        if (!first.equals(type.getName())) {
            try {
                found = Class.forName(first, false, type.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // a lambda's class is hidden: the check then says so
            }
        }
        known[0] = found; // racing starts of the same class compute the same
        return found;
    }

    private static IllegalStateException cannotStart(String what, String subject, String cause) {
        return new IllegalStateException("cannot start " + what + ": " + subject + " " + cause);
    }

    private static String absoluteEntry(String entry) {
        try {
            return Path.of(entry).toAbsolutePath().normalize().toString();
        } catch (InvalidPathException e) {
            return entry; // not a path this JVM knows: the child's launcher says what it makes of it
        }
    }

    /**
     * Adds what a child needs of {@code loader}: nothing for the JDK's and the application class
     * loader (this JVM's class path), else the URLs of its chain of loaders, parents first, then
     * the entry {@code origin} names.
     */
    private static void addLoadedFrom(Set<String> entries, ClassLoader loader, Origin origin) {
        List<ClassLoader> chain = new ArrayList<>();
        for (ClassLoader l = loader; l != null && l != ClassLoader.getSystemClassLoader()
                && l != ClassLoader.getPlatformClassLoader(); l = l.getParent()) {
            chain.add(l);
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            if (chain.get(i) instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    String entry = URL_ENTRIES.get(url.toString());
                    if (entry == null) { // no lambda here: a child that starts children may have linked none
                        String file = entryOf(url, "");
                        entry = file == null ? "" : file;
                        URL_ENTRIES.put(url.toString(), entry);
                    }
                    if (!entry.isEmpty()) {
                        entries.add(entry);
                    } else {
                        Log.of(ChildClassPath.class).log(System.Logger.Level.DEBUG,
                                "{0} is not a file: left off the children''s class path", url);
                    }
                }
            }
        }
        if (origin != null && origin.entry != null) {
            entries.add(origin.entry);
        }
    }

    /**
     * @param url a class loader's URL or a resource's, which ends with {@code resourceName}
     * @return the absolute directory or jar file that {@code url} lies in, or null when it lies in
     *     no file (a jar inside a jar, an in-memory or remote URL)
     */
    private static String entryOf(URL url, String resourceName) {
        String text = url.toString();
        if (!text.endsWith(resourceName)) {
            return null;
        }
        String location = text.substring(0, text.length() - resourceName.length());
        if (location.startsWith("jar:")) {
            int separator = location.indexOf("!/");
            if (separator < 0 || separator + 2 != location.length()) {
                return null; // "!/" twice: a jar inside a jar
            }
            location = location.substring("jar:".length(), separator);
        }
        if (!location.startsWith("file:")) {
            return null;
        }
        return filePath(location);
    }

    private static String filePath(String fileUrl) {
        try {
            return Path.of(new URI(fileUrl)).toAbsolutePath().normalize().toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            // an URL made from a File without escaping (spaces and all): its path is the file's
            String path = URLDecoder.decode(fileUrl.substring("file:".length()), StandardCharsets.UTF_8);
            return Path.of(path).toAbsolutePath().normalize().toString();
        }
    }
}
