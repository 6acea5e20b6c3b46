package io.tributary.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyDerivationQueueTest {

    /** A task that records what became of it, and can be made to block. */
    private static final class Probe implements KeyDerivationQueue.Task {
        final String name;
        final List<String> log;
        final CountDownLatch release;
        final CountDownLatch started = new CountDownLatch(1);

        Probe(String name, List<String> log, CountDownLatch release) {
            this.name = name;
            this.log = log;
            this.release = release;
        }

        @Override
        public void run() {
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add(name + " ran on " + Thread.currentThread().getName());
        }

        @Override
        public void expired() {
            log.add(name + " expired");
        }
    }

    @Test
    void refusesWhenTheQueueIsFullAndRunsEverythingItTook() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (KeyDerivationQueue queue = new KeyDerivationQueue(1, 2, Duration.ofMinutes(1))) {
            Probe running = new Probe("a", log, release);
            assertThat(queue.trySubmit(running)).isTrue();
            assertThat(running.started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(queue.trySubmit(new Probe("b", log, release))).isTrue();
            assertThat(queue.trySubmit(new Probe("c", log, release))).isTrue();

            assertThat(queue.trySubmit(new Probe("d", log, release))).as("queue of 2 full").isFalse();
            assertThat(queue.waiting()).isEqualTo(2);

            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (log.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(log).containsExactly("a ran on key-derivation-1", "b ran on key-derivation-1",
                    "c ran on key-derivation-1");
            assertThat(queue.trySubmit(new Probe("e", log, release))).as("room again").isTrue();
        }
    }

    @Test
    void dropsATaskThatWaitedTooLongWithoutRunningIt() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicLong clock = new AtomicLong();
        CountDownLatch release = new CountDownLatch(1);
        try (KeyDerivationQueue queue = new KeyDerivationQueue(1, 4, Duration.ofSeconds(2), clock::get)) {
            Probe running = new Probe("a", log, release);
            queue.trySubmit(running);
            assertThat(running.started.await(10, TimeUnit.SECONDS)).isTrue();
            queue.trySubmit(new Probe("late", log, release));
            clock.addAndGet(Duration.ofSeconds(3).toNanos());

            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (log.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(log).containsExactly("a ran on key-derivation-1", "late expired");
        }
    }

    @Test
    void closingExpiresWhatIsStillQueuedSoNoConnectWaitsForever() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        KeyDerivationQueue queue = new KeyDerivationQueue(1, 4, Duration.ofMinutes(1));
        Probe running = new Probe("a", log, release);
        queue.trySubmit(running);
        assertThat(running.started.await(10, TimeUnit.SECONDS)).isTrue();
        queue.trySubmit(new Probe("queued", log, release));

        queue.close();
        release.countDown();

        assertThat(log).contains("queued expired");
        assertThat(queue.trySubmit(new Probe("after", log, release))).isFalse();
    }
}
