package io.tributary.demo;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a request to stop gracefully, instead of JVM shutdown: a shutdown would run
 * every shutdown hook at once and tear Kafka down while the demo still drains into it. A second signal stops at once.
 */
final class StopSignal {

    private final CountDownLatch requested = new CountDownLatch(1);

    /** A stop that only {@link #request()} triggers: for tests, which must not take over the JVM's signals. */
    static StopSignal manual() {
        return new StopSignal();
    }

    /** Requests a stop, as Ctrl-C does. */
    void request() {
        requested.countDown();
    }

    static StopSignal install() {
        StopSignal stop = new StopSignal();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> stop.signalled());
        }
        return stop;
    }

    private void signalled() {
        if (requested.getCount() == 0) {
            // Second Ctrl-C: the user means it. The local stack's guardian still removes influxd and the data dir.
            Runtime.getRuntime().halt(130);
        }
        requested.countDown();
    }

    /** Waits up to {@code timeout}; true if a stop was requested. */
    boolean await(Duration timeout) throws InterruptedException {
        return requested.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
