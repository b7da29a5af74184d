import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Run by {@code .ci/run} after the build ({@code java .ci/StoredJars.java JAR...}): fails when an
 * entry of one of the given jars is not stored. The shaded jars of the bench and of the
 * {@code mp4j} command are stored again after shading (the parent pom's Ant step), because a new
 * JVM reads deflated entries through its interpreter (docs/ARCHITECTURE.md, "The library's jar is
 * stored"); they are made after their modules' tests, which cannot check them, as the cli
 * module's {@code LibraryJarTest} checks the library's own jar.
 */
public final class StoredJars {
    public static void main(String[] args) throws IOException {
        boolean allStored = true;
        for (String path : args) {
            List<String> deflated;
            try (ZipFile jar = new ZipFile(path)) {
                deflated = jar.stream().filter(entry -> entry.getMethod() != ZipEntry.STORED).map(ZipEntry::getName)
                        .collect(Collectors.toList());
            }
            if (!deflated.isEmpty()) {
                allStored = false;
                System.err.println(path + ": " + deflated.size() + " entries not stored, the first " + deflated.get(0));
            }
        }
        if (!allStored) {
            System.exit(1);
        }
    }
}
