package io.tributary.gateway.config;

import io.tributary.cli.DurationConverter;
import io.tributary.gateway.auth.AuthSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The command-line options of {@link AuthSettings}: failed-login throttles, the secret-check queue, registry rules. */
public final class AuthOptions {

    @Option(names = "--auth-max-failures-per-address",
            defaultValue = "${env:TRIBUTARY_AUTH_MAX_FAILURES_PER_ADDRESS:-30}",
            description = "Failed logins from one source address (IPv6: its /64) per --auth-failure-window before its"
                    + " CONNECTs are refused at once (MQTT 5: 0x9F) for --auth-block-duration; a secret verified"
                    + " before still connects (env TRIBUTARY_AUTH_MAX_FAILURES_PER_ADDRESS; default ${DEFAULT-VALUE}).")
    int authMaxFailuresPerAddress;

    @Option(names = "--auth-max-failures-per-device",
            defaultValue = "${env:TRIBUTARY_AUTH_MAX_FAILURES_PER_DEVICE:-10}",
            description = "Failed logins for one device id per --auth-failure-window after which addresses that failed"
                    + " on it are refused at once for --auth-block-duration; other addresses still get their secret"
                    + " checked (env TRIBUTARY_AUTH_MAX_FAILURES_PER_DEVICE; default ${DEFAULT-VALUE}).")
    int authMaxFailuresPerDevice;

    @Option(names = "--auth-failure-window", defaultValue = "${env:TRIBUTARY_AUTH_FAILURE_WINDOW:-1m}",
            converter = DurationConverter.class,
            description = "Window failed logins are counted in (env TRIBUTARY_AUTH_FAILURE_WINDOW; default"
                    + " ${DEFAULT-VALUE}).")
    Duration authFailureWindow;

    @Option(names = "--auth-block-duration", defaultValue = "${env:TRIBUTARY_AUTH_BLOCK_DURATION:-5m}",
            converter = DurationConverter.class,
            description = "How long a failed-login throttle lasts (env TRIBUTARY_AUTH_BLOCK_DURATION; default"
                    + " ${DEFAULT-VALUE}).")
    Duration authBlockDuration;

    @Option(names = "--auth-tracked-entries", defaultValue = "${env:TRIBUTARY_AUTH_TRACKED_ENTRIES:-16384}",
            description = "Entries each failed-login table (addresses, ids, id-address pairs) holds at most, least"
                    + " recently used forgotten first (env TRIBUTARY_AUTH_TRACKED_ENTRIES; default ${DEFAULT-VALUE}).")
    int authTrackedEntries;

    @Option(names = "--auth-threads", defaultValue = "${env:TRIBUTARY_AUTH_THREADS:-0}",
            description = "Threads checking secrets (PBKDF2); 0 = one per four cores, at least one"
                    + " (env TRIBUTARY_AUTH_THREADS; default ${DEFAULT-VALUE}).")
    int authThreads;

    @Option(names = "--auth-queue", defaultValue = "${env:TRIBUTARY_AUTH_QUEUE:-256}",
            description = "Secret checks waiting at most; beyond it CONNECTs get server busy (MQTT 5: 0x89) at once"
                    + " (env TRIBUTARY_AUTH_QUEUE; default ${DEFAULT-VALUE}).")
    int authQueue;

    @Option(names = "--auth-queue-max-wait", defaultValue = "${env:TRIBUTARY_AUTH_QUEUE_MAX_WAIT:-2s}",
            converter = DurationConverter.class,
            description = "A secret check that waited longer is answered server busy unrun"
                    + " (env TRIBUTARY_AUTH_QUEUE_MAX_WAIT; default ${DEFAULT-VALUE}).")
    Duration authQueueMaxWait;

    @Option(names = "--registry-min-iterations", defaultValue = "${env:TRIBUTARY_REGISTRY_MIN_ITERATIONS:-1000}",
            description = "Fewest PBKDF2 iterations a registry record may have; others are refused"
                    + " (env TRIBUTARY_REGISTRY_MIN_ITERATIONS; default ${DEFAULT-VALUE}).")
    int registryMinIterations;

    @Option(names = "--registry-max-iterations", defaultValue = "${env:TRIBUTARY_REGISTRY_MAX_ITERATIONS:-20000}",
            description = "Most PBKDF2 iterations a registry record may have (bounds the CPU of one CONNECT); others"
                    + " are refused (env TRIBUTARY_REGISTRY_MAX_ITERATIONS; default ${DEFAULT-VALUE}).")
    int registryMaxIterations;

    @Option(names = "--registry-stall-timeout", defaultValue = "${env:TRIBUTARY_REGISTRY_STALL_TIMEOUT:-30s}",
            converter = DurationConverter.class,
            description = "Not ready when the registry consumer has not polled for this long or has stopped"
                    + " (env TRIBUTARY_REGISTRY_STALL_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration registryStallTimeout;

    public AuthSettings toSettings() {
        return new AuthSettings(authMaxFailuresPerAddress, authMaxFailuresPerDevice, authFailureWindow,
                authBlockDuration, authTrackedEntries, authThreads, authQueue, authQueueMaxWait, registryMinIterations,
                registryMaxIterations, registryStallTimeout);
    }
}
