package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.ChildProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The library's jar, as the build packages it, stores its entries instead of deflating them: a
 * new program's JVM reads the library's classes from it at first use, in its interpreter
 * (docs/ARCHITECTURE.md, "The library's jar is stored"). Checked in this module because it is
 * built after the library's and its tests run with the packaged jar on their class path (the
 * library's own tests run before its jar is made); run where the library's classes come from a
 * directory (an IDE), there is no jar to check.
 */
class LibraryJarTest {
    @Test
    void theLibrarysJarStoresEveryEntry() throws Exception {
        Path location = Path.of(ChildProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assumeTrue(Files.isRegularFile(location), "the library's classes come from " + location + ", not a jar");

        List<String> deflated;
        try (ZipFile jar = new ZipFile(location.toFile())) {
            deflated = jar.stream().filter(entry -> entry.getMethod() != ZipEntry.STORED).map(ZipEntry::getName)
                    .collect(Collectors.toList());
        }

        assertThat(deflated).as("entries of %s that are not stored", location).isEmpty();
    }
}
