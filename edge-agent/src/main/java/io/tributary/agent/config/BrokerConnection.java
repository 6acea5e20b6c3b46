package io.tributary.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the agent reaches the gateway.
 *
 * @param serverUri          {@code tcp://host:1883} or {@code ssl://host:8883}
 * @param username           MQTT username (default: the device id)
 * @param password           the device secret; empty for none. Never printed: {@link #toString()} shows {@code ***}
 * @param caFile             PEM file of the CA(s) to trust for {@code ssl://}; null = the JVM's trust store
 * @param clientKeystore     PKCS#12 file with the client certificate and key (mutual TLS; CN = device id); or null
 * @param clientKeystorePassword its password (never printed either)
 * @param keepAlive          MQTT keepalive
 * @param connectTimeout     how long one connection attempt may take
 * @param backoffInitial     first reconnect delay; doubles per failure, with jitter
 * @param backoffMax         longest reconnect delay
 * @param maxInflight        unacknowledged publishes at once (also capped by the gateway's Receive Maximum)
 * @param replayRate         backlog batches per second after an outage (live batches are not limited)
 */
public record BrokerConnection(String serverUri, String username, String password, Path caFile, Path clientKeystore,
        String clientKeystorePassword, Duration keepAlive, Duration connectTimeout, Duration backoffInitial,
        Duration backoffMax, int maxInflight, double replayRate) {

    public BrokerConnection {
        Objects.requireNonNull(serverUri, "mqtt.uri");
        if (!serverUri.startsWith("tcp://") && !serverUri.startsWith("ssl://")) {
            throw new ConfigException("mqtt.uri", "must start with tcp:// or ssl://, got '" + serverUri + "'");
        }
        password = password == null ? "" : password;
        clientKeystorePassword = clientKeystorePassword == null ? "" : clientKeystorePassword;
        if ((caFile != null || clientKeystore != null) && !serverUri.startsWith("ssl://")) {
            throw new ConfigException("mqtt.uri", "ca-file/client-keystore need an ssl:// uri, got '" + serverUri + "'");
        }
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new ConfigException("mqtt.backoff-max", "must not be shorter than mqtt.backoff-initial");
        }
        if (maxInflight < 1 || maxInflight > 65535) {
            throw new ConfigException("mqtt.max-inflight", "must be 1..65535, got " + maxInflight);
        }
        if (!(replayRate > 0)) {
            throw new ConfigException("mqtt.replay-rate", "must be a positive number of batches per second");
        }
        if (keepAlive.toSeconds() < 1 || keepAlive.toSeconds() > 65535) {
            throw new ConfigException("mqtt.keepalive", "must be 1s..65535s, got " + keepAlive);
        }
    }

    /** Secrets shown as {@code ***} (set) or {@code ""} (none): this record ends up in logs and exception messages. */
    @Override
    public String toString() {
        return "BrokerConnection[serverUri=" + serverUri + ", username=" + username + ", password=" + redact(password)
                + ", caFile=" + caFile + ", clientKeystore=" + clientKeystore + ", clientKeystorePassword="
                + redact(clientKeystorePassword) + ", keepAlive=" + keepAlive + ", connectTimeout=" + connectTimeout
                + ", backoffInitial=" + backoffInitial + ", backoffMax=" + backoffMax + ", maxInflight=" + maxInflight
                + ", replayRate=" + replayRate + "]";
    }

    private static String redact(String secret) {
        return secret.isEmpty() ? "\"\"" : "***";
    }
}
