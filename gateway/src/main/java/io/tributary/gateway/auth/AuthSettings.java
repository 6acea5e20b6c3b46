package io.tributary.gateway.auth;

import io.tributary.contract.registry.CredentialRules;
import java.time.Duration;

import static io.tributary.gateway.Checks.atLeast;
import static io.tributary.gateway.Checks.range;

/**
 * How the gateway keeps device authentication from becoming a denial of service: failed-login throttles, the bounded
 * queue of secret checks, the rules registry records must follow and when a stalled registry consumer makes the
 * gateway unready. Each component is described at its option ({@code io.tributary.gateway.config.AuthOptions});
 * every bad value is rejected with a message naming the component and that option. See gateway/README.md, "Device
 * identity", for why the defaults are what they are.
 */
public record AuthSettings(
        int maxFailuresPerAddress,
        int maxFailuresPerDevice,
        Duration failureWindow,
        Duration blockDuration,
        int trackedEntries,
        int derivationThreads,
        int derivationQueue,
        Duration derivationMaxWait,
        int minIterations,
        int maxIterations,
        Duration registryStallTimeout) {

    public static final int DEFAULT_MAX_FAILURES_PER_ADDRESS = 30;
    public static final int DEFAULT_MAX_FAILURES_PER_DEVICE = 10;
    public static final Duration DEFAULT_FAILURE_WINDOW = Duration.ofMinutes(1);
    public static final Duration DEFAULT_BLOCK_DURATION = Duration.ofMinutes(5);
    public static final int DEFAULT_TRACKED_ENTRIES = 16_384;
    public static final int DEFAULT_DERIVATION_QUEUE = 256;
    public static final Duration DEFAULT_DERIVATION_MAX_WAIT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REGISTRY_STALL_TIMEOUT = Duration.ofSeconds(30);

    public static final AuthSettings DEFAULTS = new AuthSettings(DEFAULT_MAX_FAILURES_PER_ADDRESS,
            DEFAULT_MAX_FAILURES_PER_DEVICE, DEFAULT_FAILURE_WINDOW, DEFAULT_BLOCK_DURATION, DEFAULT_TRACKED_ENTRIES,
            0, DEFAULT_DERIVATION_QUEUE, DEFAULT_DERIVATION_MAX_WAIT, CredentialRules.DEFAULT_MIN_ITERATIONS,
            CredentialRules.DEFAULT_MAX_ITERATIONS, DEFAULT_REGISTRY_STALL_TIMEOUT);

    public AuthSettings {
        atLeast(maxFailuresPerAddress, 1, "maxFailuresPerAddress (--auth-max-failures-per-address)");
        atLeast(maxFailuresPerDevice, 1, "maxFailuresPerDevice (--auth-max-failures-per-device)");
        positive(failureWindow, "failureWindow (--auth-failure-window)");
        positive(blockDuration, "blockDuration (--auth-block-duration)");
        atLeast(trackedEntries, 16, "trackedEntries (--auth-tracked-entries)");
        range(derivationThreads, 0, 256, "derivationThreads (--auth-threads, 0 = one per four cores)");
        atLeast(derivationQueue, 1, "derivationQueue (--auth-queue)");
        positive(derivationMaxWait, "derivationMaxWait (--auth-queue-max-wait)");
        new CredentialRules(minIterations, maxIterations); // validates and names the options
        atLeast(registryStallTimeout, Duration.ofSeconds(1), "registryStallTimeout (--registry-stall-timeout)");
    }

    public CredentialRules credentialRules() {
        return new CredentialRules(minIterations, maxIterations);
    }

    /** {@link #derivationThreads}, with 0 resolved: one per four cores, at least one. */
    public int effectiveDerivationThreads() {
        return derivationThreads > 0 ? derivationThreads
                : Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
    }

    private static void positive(Duration value, String name) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }
}
