package io.tributary.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** A throw-away CA, server certificate and device certificates made with the {@code openssl} command. */
public final class TestCertificates {

    public final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Whether {@code openssl} is on the PATH. */
    public static boolean opensslAvailable() {
        try {
            return new ProcessBuilder("openssl", "version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** ca.pem/ca.key, server.pem/server.key (SAN 127.0.0.1, localhost). */
    public static TestCertificates create(Path dir) throws Exception {
        run(dir, "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca"
                + " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost"
                + " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost' > san.ext"
                + " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem"
                + " -days 2 -extfile san.ext");
        return new TestCertificates(dir);
    }

    /** A device certificate with subject CN {@code cn}, signed by the CA, as {@code cn.p12} (password "pw"). */
    public Path deviceCertificate(String cn) throws Exception {
        run(dir, "openssl req -newkey rsa:2048 -nodes -keyout " + cn + ".key -out " + cn + ".csr -subj /CN=" + cn
                + " && openssl x509 -req -in " + cn + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " + cn
                + ".pem -days 2"
                + " && openssl pkcs12 -export -in " + cn + ".pem -inkey " + cn + ".key -out " + cn
                + ".p12 -passout pass:pw");
        return dir.resolve(cn + ".p12");
    }

    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    public Path serverPem() {
        return dir.resolve("server.pem");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** A socket factory trusting the CA, presenting {@code clientP12} if not null. */
    public SSLSocketFactory socketFactory(Path clientP12) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem())) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("ca", ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientP12 != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(clientP12)) {
                keys.load(in, "pw".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "pw".toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    private static void run(Path dir, String script) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", script).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("openssl failed: " + output);
        }
    }
}
