package io.tributary.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.DeviceLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The session registry: one live connection per device id, the quota outliving connections, forgetting. */
class DeviceSessionsTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(1);
    private final DeviceLimits limits = new DeviceLimits(10, 5, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 256 * 1024,
            64);
    private final DeviceSessions<String> sessions = new DeviceSessions<>(limits, clock::get);

    @Test
    void aSecondClaimOfTheSameIdReturnsTheConnectionItReplaces() {
        DeviceSessions.Claim<String> first = sessions.claim("dev-1", "conn-a");
        DeviceSessions.Claim<String> second = sessions.claim("dev-1", "conn-b");
        DeviceSessions.Claim<String> other = sessions.claim("dev-2", "conn-c");

        assertThat(first.previous()).isNull();
        assertThat(second.previous()).isEqualTo("conn-a");
        assertThat(other.previous()).isNull();
        assertThat(sessions.holder("dev-1")).isEqualTo("conn-b");
    }

    @Test
    void theReplacedConnectionClosingLaterDoesNotEndTheNewSession() {
        sessions.claim("dev-1", "conn-a");
        sessions.claim("dev-1", "conn-b");

        sessions.release("dev-1", "conn-a");

        assertThat(sessions.holder("dev-1")).isEqualTo("conn-b");
        sessions.release("dev-1", "conn-b");
        assertThat(sessions.holder("dev-1")).isNull();
    }

    @Test
    void theQuotaBelongsToTheDeviceAndSurvivesATakeoverAndAReconnect() {
        PublishQuota quota = sessions.claim("dev-1", "conn-a").quota();
        for (int i = 0; i < 5; i++) {
            assertThat(quota.tryAcquire(1, clock.get())).isNull();
        }

        DeviceSessions.Claim<String> takeover = sessions.claim("dev-1", "conn-b");
        assertThat(takeover.quota()).isSameAs(quota);
        assertThat(takeover.quota().tryAcquire(1, clock.get())).isNotNull();

        sessions.release("dev-1", "conn-b");
        assertThat(sessions.claim("dev-1", "conn-c").quota()).as("drained quota kept across a reconnect")
                .isSameAs(quota);
        assertThat(sessions.claim("dev-2", "conn-d").quota()).isNotSameAs(quota);
    }

    @Test
    void forgetsADeviceWithoutConnectionOnceItsQuotaIsFullAgain() {
        PublishQuota quota = sessions.claim("dev-1", "conn-a").quota();
        quota.tryAcquire(1, clock.get());
        sessions.claim("dev-2", "conn-b");
        sessions.release("dev-1", "conn-a");
        assertThat(sessions.size()).isEqualTo(2);

        clock.addAndGet(11 * SECOND); // past the sweep interval; the quota refilled long ago
        assertThat(sessions.sweep()).isEqualTo(1);
        assertThat(sessions.size()).as("the connected device stays").isEqualTo(1);
        assertThat(sessions.sweep()).as("at most once per interval").isZero();
    }

    @Test
    void forgetsAtOnceWhenTheQuotaIsFullOrOff() {
        sessions.claim("dev-1", "conn-a");
        sessions.release("dev-1", "conn-a");
        assertThat(sessions.size()).isZero();

        DeviceSessions<String> noQuota = new DeviceSessions<>(new DeviceLimits(0, 1, 0, 1, 1000, 256 * 1024, 64),
                clock::get);
        assertThat(noQuota.claim("dev-1", "conn-a").quota()).isNull();
        noQuota.release("dev-1", "conn-a");
        assertThat(noQuota.size()).isZero();
    }

    @Test
    void concurrentClaimsLeaveExactlyOneHolderAndEveryOtherConnectionIsReplacedOnce() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        ConcurrentLinkedQueue<String> replaced = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    String previous = sessions.claim("dev-1", "c-" + id + "-" + i).previous();
                    if (previous != null) {
                        replaced.add(previous);
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }

        assertThat(replaced).hasSize(threads * perThread - 1).doesNotHaveDuplicates()
                .doesNotContain(sessions.holder("dev-1"));
    }
}
