package io.github.multiprocessing4j.redis.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made at test time with {@code openssl} and {@code keytool}: a CA, a server
 * certificate signed by it, and a PKCS12 trust store holding the CA.
 */
public final class TestCertificates {
    private TestCertificates() {
    }

    /**
     * Writes {@code ca.crt}, {@code ca.key}, {@code server.crt}, {@code server.key} (for
     * {@code 127.0.0.1} and {@code localhost}) and {@code truststore.p12} (the CA) into
     * {@code directory}.
     */
    public static void make(Path directory, String trustStorePassword) {
        make(directory, "", trustStorePassword, "IP:127.0.0.1,DNS:localhost");
    }

    /**
     * Writes {@code <name>ca.crt}, {@code <name>ca.key}, {@code <name>server.crt},
     * {@code <name>server.key} with the given subject alternative names ({@code openssl} syntax),
     * and {@code <name>truststore.p12}.
     */
    public static void make(Path directory, String name, String trustStorePassword, String subjectAltNames) {
        Path ca = directory.resolve(name + "ca.crt");
        Path caKey = directory.resolve(name + "ca.key");
        Path key = directory.resolve(name + "server.key");
        Path request = directory.resolve(name + "server.csr");
        Path cert = directory.resolve(name + "server.crt");
        Path ext = directory.resolve(name + "server.ext");
        try {
            Files.writeString(ext, "subjectAltName=" + subjectAltNames + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        run(directory, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=mp4j test CA " + name, "-keyout", caKey.toString(), "-out", ca.toString());
        run(directory, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=mp4j test server",
                "-keyout", key.toString(), "-out", request.toString());
        run(directory, "openssl", "x509", "-req", "-in", request.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
        run(directory, "keytool", "-importcert", "-noprompt", "-alias", "mp4j-test-ca", "-file", ca.toString(),
                "-keystore", directory.resolve(name + "truststore.p12").toString(), "-storetype", "PKCS12",
                "-storepass", trustStorePassword);
    }

    private static void run(Path directory, String... command) {
        try {
            Path log = directory.resolve("certificates.log");
            Process p = new ProcessBuilder(List.of(command)).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command[0] + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
