package io.tributary.gateway.mqtt;

import io.tributary.gateway.TlsSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks the TLS listener's PEM files before start: the message names file and problem (Netty's names neither). */
public final class TlsFiles {

    private static final Pattern KEY_BLOCK = Pattern.compile(
            "-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private TlsFiles() {
    }

    /** @throws IllegalArgumentException naming the file and what is wrong with it */
    public static void check(TlsSettings tls) {
        if (!tls.enabled()) {
            return;
        }
        certificates(tls.certificatePath(), "TLS certificate file (--tls-cert)");
        privateKey(tls.keyPath());
        if (tls.clientCaPath() != null) {
            certificates(tls.clientCaPath(), "TLS client CA file (--tls-client-ca)");
        }
    }

    private static void certificates(Path file, String what) {
        byte[] bytes = read(file, what);
        if (!new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(what + " " + file + " holds no PEM certificate"
                    + " ('-----BEGIN CERTIFICATE-----')");
        }
        try {
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))
                    .isEmpty()) {
                throw new IllegalArgumentException(what + " " + file + " holds no certificate");
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(what + " " + file + " is not a valid X.509 PEM certificate: "
                    + e.getMessage());
        }
    }

    private static void privateKey(Path file) {
        String what = "TLS key file (--tls-key)";
        String text = new String(read(file, what), StandardCharsets.US_ASCII);
        Matcher block = KEY_BLOCK.matcher(text);
        if (!block.find()) {
            throw new IllegalArgumentException(what + " " + file + " holds no PEM private key ('-----BEGIN PRIVATE"
                    + " KEY-----' or '-----BEGIN RSA PRIVATE KEY-----')");
        }
        if (block.group(1).startsWith("ENCRYPTED")) {
            throw new IllegalArgumentException(what + " " + file + " is encrypted: give an unencrypted key"
                    + " (e.g. openssl pkey -in KEY -out PLAIN)");
        }
        try {
            Base64.getMimeDecoder().decode(block.group(2).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " " + file + " has a damaged PEM body: " + e.getMessage());
        }
    }

    private static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }
}
