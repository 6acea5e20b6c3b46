package io.tributary.gateway.auth;

import io.tributary.contract.registry.CredentialRules;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.auth.LoginThrottle.Verdict;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private static final AuthSettings SETTINGS = new AuthSettings(5, 3, Duration.ofMinutes(1), Duration.ofMinutes(5),
            100, 0, 256, Duration.ofSeconds(2), CredentialRules.DEFAULT_MIN_ITERATIONS,
            CredentialRules.DEFAULT_MAX_ITERATIONS, Duration.ofSeconds(30));
    private final AtomicLong clock = new AtomicLong(42);
    private final LoginThrottle throttle = new LoginThrottle(SETTINGS, clock::get);

    private void fail(String address, String device, int times) {
        for (int i = 0; i < times; i++) {
            throttle.failed(address, device);
        }
    }

    @Test
    void blocksAnAddressAfterItsFailuresForTheBlockDurationOnly() {
        fail("10.0.0.1:4000", null, 4);
        assertThat(throttle.admit("10.0.0.1:4001", "any")).isEqualTo(Verdict.ADMIT);

        fail("10.0.0.1:4002", null, 1);

        assertThat(throttle.admit("10.0.0.1:5555", "any")).isEqualTo(Verdict.ADDRESS_BLOCKED);
        assertThat(throttle.admit("10.0.0.2:5555", "any")).as("another address").isEqualTo(Verdict.ADMIT);
        clock.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(throttle.admit("10.0.0.1:5555", "any")).isEqualTo(Verdict.ADMIT);
    }

    @Test
    void forgetsFailuresOlderThanTheWindow() {
        fail("10.0.0.1:1", null, 4);
        clock.addAndGet(Duration.ofMinutes(1).toNanos());
        fail("10.0.0.1:1", null, 4);

        assertThat(throttle.admit("10.0.0.1:1", "d")).isEqualTo(Verdict.ADMIT);
    }

    @Test
    void anIdUnderAttackRefusesTheAttackingAddressesButStillChecksOthers() {
        fail("10.0.0.1:1", "victim", 1);
        fail("10.0.0.2:1", "victim", 1);
        fail("10.0.0.3:1", "victim", 1); // three addresses, one failure each: the id is under attack

        assertThat(throttle.admit("10.0.0.1:9", "victim")).isEqualTo(Verdict.DEVICE_BLOCKED);
        assertThat(throttle.admit("10.0.0.3:9", "victim")).isEqualTo(Verdict.DEVICE_BLOCKED);
        assertThat(throttle.admit("192.168.7.7:9", "victim")).as("the device's own address").isEqualTo(Verdict.ADMIT);
        assertThat(throttle.admit("10.0.0.1:9", "other-device")).isEqualTo(Verdict.ADMIT);
    }

    @Test
    void anIdNotUnderAttackLetsAnAddressThatFailedOnItTryAgain() {
        fail("10.0.0.1:1", "d", 2);

        assertThat(throttle.admit("10.0.0.1:1", "d")).isEqualTo(Verdict.ADMIT);
    }

    @Test
    void unknownIdsAreThrottledExactlyLikeKnownOnes() {
        // The throttle never sees whether an id exists: the same calls give the same verdicts.
        fail("10.0.0.9:1", "known-device", 2);
        fail("10.0.0.8:1", "known-device", 1);
        fail("10.0.0.9:1", "no-such-device", 2);
        fail("10.0.0.8:1", "no-such-device", 1);

        assertThat(throttle.admit("10.0.0.9:1", "known-device"))
                .isEqualTo(throttle.admit("10.0.0.9:1", "no-such-device")).isEqualTo(Verdict.DEVICE_BLOCKED);
    }

    @Test
    void countsIpv6PerSlash64AndIpv4MappedAsIpv4() {
        fail("2001:db8:1:2:aaaa:0:0:1:4000", null, 5);

        assertThat(throttle.admit("2001:db8:1:2:ffff:ffff:1:2:4000", "d")).isEqualTo(Verdict.ADDRESS_BLOCKED);
        assertThat(throttle.admit("2001:db8:1:3:aaaa:0:0:1:4000", "d")).isEqualTo(Verdict.ADMIT);
        assertThat(LoginThrottle.sourceKey("0:0:0:0:0:ffff:a00:1:1883")).isEqualTo("10.0.0.1");
        assertThat(LoginThrottle.sourceKey("[2001:db8::1]:1883")).isEqualTo("2001:db8:0:0::/64");
        assertThat(LoginThrottle.sourceKey("127.0.0.1:1883")).isEqualTo("127.0.0.1");
        assertThat(LoginThrottle.sourceKey(null)).isEqualTo("?");
    }

    @Test
    void holdsBoundedMemoryWhenASourceRotatesAddressesAndIds() {
        for (int i = 0; i < 100_000; i++) {
            throttle.failed("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + ":1", "id-" + i);
        }

        assertThat(throttle.trackedEntries()).isLessThanOrEqualTo(3 * 100);
    }

    @Test
    void keepsTheEntriesBeingHitWhenTheTableOverflows() {
        fail("10.9.9.9:1", null, 5); // blocked
        for (int i = 0; i < 1_000; i++) {
            throttle.failed("172.16." + (i >> 8) + "." + (i & 255) + ":1", null);
            assertThat(throttle.admit("10.9.9.9:1", "x")).isEqualTo(Verdict.ADDRESS_BLOCKED); // a hit keeps it fresh
        }
    }
}
