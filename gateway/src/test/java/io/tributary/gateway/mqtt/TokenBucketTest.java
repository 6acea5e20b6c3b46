package io.tributary.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.gateway.DeviceLimits;
import org.junit.jupiter.api.Test;

/** The token bucket and the two-bucket publish quota, on a clock the test moves. */
class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void startsFullAndRefillsAtItsRateUpToItsCapacity() {
        TokenBucket bucket = new TokenBucket(10, 5, 0);

        assertThat(bucket.has(5, 0)).isTrue();
        bucket.take(5);
        assertThat(bucket.has(1, 0)).isFalse();
        assertThat(bucket.has(1, SECOND / 10)).isTrue(); // 10/s: one token after 100 ms
        assertThat(bucket.has(2, SECOND / 10)).isFalse();
        assertThat(bucket.full(SECOND / 2)).isTrue();
        assertThat(bucket.has(6, 100 * SECOND)).isFalse(); // never above its capacity
    }

    @Test
    void ignoresAClockThatGoesBack() {
        TokenBucket bucket = new TokenBucket(10, 5, SECOND);
        bucket.take(5);

        assertThat(bucket.has(1, 0)).isFalse();
        assertThat(bucket.has(1, SECOND + SECOND / 10)).isTrue();
    }

    @Test
    void refusesAZeroRateOrAnEmptyBucket() {
        assertThatThrownBy(() -> new TokenBucket(0, 5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPublishPassesOnlyWhenBothBucketsHaveRoomAndARefusalTakesNothing() {
        DeviceLimits limits = new DeviceLimits(10, 3, 1000, 1000, 1000, 256 * 1024, 64);
        PublishQuota quota = PublishQuota.of(limits, 0);

        assertThat(quota.tryAcquire(600, 0)).isNull();
        // the byte bucket has 400 left: refused, and the message bucket keeps its two
        assertThat(quota.tryAcquire(600, 0)).contains("quota exceeded").contains("10 msgs/s");
        assertThat(quota.tryAcquire(100, 0)).isNull();
        assertThat(quota.tryAcquire(100, 0)).isNull();
        assertThat(quota.tryAcquire(1, 0)).as("the message burst of 3 is used up").isNotNull();
        assertThat(quota.tryAcquire(1, SECOND / 10)).isNull();
        assertThat(quota.full(0)).isFalse();
        assertThat(quota.full(10 * SECOND)).isTrue();
    }

    @Test
    void aPayloadAboveTheByteBurstCostsTheBurstAndStillPasses() {
        PublishQuota quota = PublishQuota.of(new DeviceLimits(1000, 2000, 100, 1000, 1000, 256 * 1024, 64), 0);

        assertThat(quota.tryAcquire(5000, 0)).isNull();
        assertThat(quota.tryAcquire(1, 0)).isNotNull();
    }

    @Test
    void noQuotaWhenBothRatesAreOff() {
        assertThat(PublishQuota.of(new DeviceLimits(0, 1, 0, 1, 1000, 256 * 1024, 64), 0)).isNull();
        PublishQuota messagesOnly = PublishQuota.of(new DeviceLimits(1, 1, 0, 1, 1000, 256 * 1024, 64),
                0);
        assertThat(messagesOnly.tryAcquire(1_000_000, 0)).isNull();
        assertThat(messagesOnly.tryAcquire(1, 0)).isNotNull();
    }
}
