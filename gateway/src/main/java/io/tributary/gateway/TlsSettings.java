package io.tributary.gateway;

import java.nio.file.Path;

/**
 * The TLS listener: MQTT over TLS with a certificate and key from PEM files (key PKCS#8 or PKCS#1), optionally
 * requiring client certificates (mutual TLS, signed by {@code clientCaPath}) whose subject CN is the device id.
 *
 * @param port 0 picks a free one; -1 when disabled
 * @param plainEnabled whether the plain MQTT listener runs beside the TLS one
 */
public record TlsSettings(int port, Path certificatePath, Path keyPath, Path clientCaPath, boolean plainEnabled) {


    public static final TlsSettings DISABLED = new TlsSettings(-1, null, null, null, true);

    public TlsSettings {
        boolean enabled = port >= 0;
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("tls port (--tls-port) must be 0..65535, or -1 for no TLS, got "
                    + port);
        }
        if (enabled && (certificatePath == null || keyPath == null)) {
            throw new IllegalArgumentException("the TLS listener needs --tls-cert and --tls-key (PEM files)");
        }
        if (!enabled && !plainEnabled) {
            throw new IllegalArgumentException("--no-plain-mqtt needs the TLS listener (--tls-cert, --tls-key)");
        }
        if (!enabled && clientCaPath != null) {
            throw new IllegalArgumentException("--tls-client-ca needs the TLS listener (--tls-cert, --tls-key)");
        }
    }

    public boolean enabled() {
        return port >= 0;
    }

    /** Whether devices must present a certificate signed by {@link #clientCaPath}. */
    public boolean mutual() {
        return clientCaPath != null;
    }
}
