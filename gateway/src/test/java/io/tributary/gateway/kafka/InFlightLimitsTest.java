package io.tributary.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InFlightLimitsTest {

    @Test
    void refusesBeyondTheHardLimitButNeverTheOnlyRecord() {
        InFlightLimits limits = new InFlightLimits(1000, 500);

        assertThat(limits.tryAcquire(600)).isTrue();
        assertThat(limits.tryAcquire(400)).isTrue();
        assertThat(limits.tryAcquire(1)).isFalse();
        assertThat(limits.bytes()).isEqualTo(1000);

        limits.release(1000);
        assertThat(limits.tryAcquire(5000)).as("alone, even a record above the limit goes through").isTrue();
    }

    @Test
    void congestedFromThePauseMarkAndResumesOnlyBelowHalfOfIt() {
        InFlightLimits limits = new InFlightLimits(10_000, 1000);
        AtomicInteger resumed = new AtomicInteger();

        limits.tryAcquire(999);
        assertThat(limits.atPauseMark()).isFalse();
        limits.tryAcquire(1);
        assertThat(limits.atPauseMark()).isTrue();

        limits.whenBelowResumeMark(resumed::incrementAndGet);
        limits.whenBelowResumeMark(resumed::incrementAndGet);
        assertThat(limits.waiting()).isEqualTo(2);

        limits.release(400); // 600 left: below the pause mark, not yet below the resume mark (500)
        assertThat(limits.atPauseMark()).isFalse();
        assertThat(resumed).hasValue(0);

        limits.release(101); // 499
        assertThat(resumed).hasValue(2);
        assertThat(limits.waiting()).isZero();

        limits.release(499);
        assertThat(resumed).as("each resumer runs once").hasValue(2);
    }

    @Test
    void runsAResumerAtOnceWhenAlreadyBelowTheResumeMark() {
        InFlightLimits limits = new InFlightLimits(10_000, 1000);
        AtomicInteger resumed = new AtomicInteger();

        limits.whenBelowResumeMark(resumed::incrementAndGet);

        assertThat(resumed).hasValue(1);
        assertThat(limits.waiting()).isZero();
    }

    @Test
    void rejectsAPauseMarkOutsideTheHardLimit() {
        assertThatThrownBy(() -> new InFlightLimits(1000, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InFlightLimits(1000, 1001)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A registration racing with the release that drains everything must still run: otherwise a connection would stay
     * paused forever. Many rounds of both on two threads.
     */
    @Test
    void neverStrandsAResumerRacingWithTheLastRelease() throws Exception {
        int rounds = 5_000;
        InFlightLimits limits = new InFlightLimits(1_000_000, 100);
        AtomicLong stranded = new AtomicLong();
        for (int round = 0; round < rounds; round++) {
            limits.tryAcquire(100);
            CountDownLatch start = new CountDownLatch(1);
            CountDownLatch ran = new CountDownLatch(1);
            Thread releaser = new Thread(() -> {
                await(start);
                limits.release(100);
            });
            releaser.start();
            start.countDown();
            limits.whenBelowResumeMark(ran::countDown);
            releaser.join();
            if (!ran.await(1, TimeUnit.SECONDS)) {
                stranded.incrementAndGet();
            }
        }
        assertThat(stranded).hasValue(0);
        assertThat(limits.bytes()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
