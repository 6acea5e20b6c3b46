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

    /** The defaults, as the options ({@code AuthOptions}) have them. */
    public static final AuthSettings DEFAULTS = new AuthSettings(30, 10, Duration.ofMinutes(1), Duration.ofMinutes(5),
            16_384, 0, 256, Duration.ofSeconds(2), CredentialRules.DEFAULT_MIN_ITERATIONS,
            CredentialRules.DEFAULT_MAX_ITERATIONS, Duration.ofSeconds(30));

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
