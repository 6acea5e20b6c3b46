package io.tributary.processor;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.contract.Topics;
import io.tributary.contract.kafka.KafkaClusterWatch;
import io.tributary.processor.config.AnalyticsConfig;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.processor.contract.ContractCheck;
import io.tributary.processor.metrics.ProcessorMeters;
import io.tributary.processor.ops.OpsHttpServer;
import io.tributary.processor.streams.StreamsEngine;
import io.tributary.processor.writer.InfluxTopicWriter;

/**
 * The cloud processor's lifecycle and health: runs the parts {@link ProcessorParts} builds (the InfluxDB readings
 * writers, each an {@link InfluxTopicWriter} on its own thread, and, unless {@link AnalyticsConfig#enabled()} is off,
 * the Kafka Streams rollups and alert engine ({@link StreamsEngine}), the rollups and alerts writers and the optional
 * alert webhook), serves the optional operations endpoint and stops it all.
 *
 * <pre>{@code
 * try (Processor processor = new Processor(config)) {
 *     processor.start();
 *     ...
 * }
 * }</pre>
 */
public final class Processor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Processor.class);

    private final ProcessorConfig config;
    private final ProcessorMeters meters = new ProcessorMeters();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Object lifecycle = new Object();

    // Written under lifecycle.
    private volatile State state = State.NEW;
    private final List<Thread> threads = new ArrayList<>();
    private ProcessorParts parts;
    private StreamsEngine streams;
    private OpsHttpServer http;
    private volatile KafkaClusterWatch kafka;

    private enum State { NEW, RUNNING, CLOSED }

    public Processor(ProcessorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        List.of("readings", "rollups", "alerts").forEach(meters::writer); // their series exist from the start
        meters.bindHealth(this::isLive, this::isReady);
    }

    /**
     * Connects the clients and starts the writer threads and Streams; returns at once (creating missing rollups and
     * alerts topics may take a moment).
     *
     * @throws IllegalStateException if already started or closed, the alert rules file is invalid or the operations
     *         endpoint cannot listen
     * @throws org.apache.kafka.common.KafkaException if the Kafka clients cannot be created from the config
     */
    public void start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("Processor already " + state.name().toLowerCase());
            }
            log.info("Starting processor [{}]", config);
            try {
                // One contract instance, so writers and Streams share the sensor counts.
                parts = ProcessorParts.build(config, new ContractCheck(config.inputContract()), meters);
            } catch (RuntimeException e) {
                stopAfterFailedStart();
                throw e;
            }
            AnalyticsConfig analytics = config.analytics();
            Topics topics = config.topics();
            kafka = new KafkaClusterWatch(config.kafkaClient().clientProperties(), "tributary-processor-health",
                    analytics.enabled() ? List.of(topics.telemetry(), topics.rollups(), topics.alerts())
                            : List.of(topics.telemetry()), Duration.ofSeconds(5));
            meters.bind(kafka);
            if (analytics.httpPort() >= 0) {
                try {
                    http = new OpsHttpServer(analytics.httpHost(), analytics.httpPort(), meters::scrape,
                            this::isLive, this::isReady, this::readinessDetail, kafka::warning);
                } catch (IOException e) {
                    parts.releaseUnstarted();
                    stopAfterFailedStart();
                    throw new IllegalStateException("Cannot start the operations endpoint on " + analytics.httpHost()
                            + ":" + analytics.httpPort() + ": " + e.getMessage(), e);
                }
            }
            state = State.RUNNING;
            parts.started();
            streams = parts.streams;
            for (ProcessorParts.Worker worker : parts.workers) {
                Thread thread = new Thread(() -> runWorker(worker), worker.threadName());
                threads.add(thread);
                thread.start();
            }
            if (streams != null) {
                streams.start();
            }
        }
    }

    /** A start that failed half-way leaves a closed processor: {@link #awaitTermination} returns at once. */
    private void stopAfterFailedStart() {
        state = State.CLOSED;
        if (kafka != null) {
            kafka.close();
        }
        meters.close();
        stopped.countDown();
    }

    /** The meters of every part (e.g. {@code meters().count("points.written", "writer", "readings")}). */
    public ProcessorMeters meters() {
        return meters;
    }

    /** The port of the operations endpoint, if it runs. */
    public Optional<Integer> httpPort() {
        return Optional.ofNullable(http).map(OpsHttpServer::port);
    }

    /** Whether every part is running (started, not yet stopped by close() or a fatal error). */
    public boolean isRunning() {
        return stopped.getCount() > 0 && state == State.RUNNING;
    }

    private boolean isLive() {
        return isRunning() && (streams == null || !streams.hasFailed());
    }

    /**
     * Live, Kafka can serve the input topics (see {@link KafkaClusterWatch#problem()}), Streams has its tasks assigned
     * and restored, and no writer's write path is down (InfluxDB unreachable, or rejecting every write: see
     * {@link ProcessorMeters#writePathOutage()}).
     */
    public boolean isReady() {
        return isLive() && kafkaProblem().isEmpty() && (streams == null || streams.isReady())
                && meters.writePathOutage().isEmpty();
    }

    private Optional<String> kafkaProblem() {
        return Optional.ofNullable(kafka).flatMap(KafkaClusterWatch::problem);
    }

    private String readinessDetail() {
        if (!isLive()) {
            return "not running" + failure().map(t -> ": " + t).orElse("");
        }
        return kafkaProblem().or(() -> meters.writePathOutage().map(outage -> "write path down: " + outage))
                .orElse(streams == null ? "ready" : "streams " + streams.state());
    }

    /** The error that stopped a part of the processor, if one stopped on its own. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Blocks until the processor has stopped (after {@link #close()} or a fatal error).
     *
     * @return false if it did not stop within the timeout
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops everything: the InfluxDB writes in flight finish and are committed, or are abandoned uncommitted; Streams
     * commits and closes; then the Kafka clients and the InfluxDB clients are closed. Waits at most
     * {@code closeTimeout} per part (plus a short grace after interrupting a thread). Idempotent; safe from any
     * thread, including a shutdown hook.
     */
    @Override
    public void close() {
        List<Thread> toJoin;
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return;
            }
            boolean wasRunning = state == State.RUNNING;
            state = State.CLOSED;
            if (!wasRunning) {
                meters.close();
                stopped.countDown();
                return;
            }
            parts.workers.forEach(w -> w.shutdown().run());
            toJoin = List.copyOf(threads);
        }
        if (http != null) {
            http.close();
        }
        if (streams != null) {
            streams.close(config.closeTimeout());
        }
        if (parts.rulesWatcher != null) {
            parts.rulesWatcher.close();
        }
        kafka.close();
        try {
            long deadline = System.nanoTime() + config.closeTimeout().toNanos();
            for (Thread thread : toJoin) {
                if (Thread.currentThread() == thread) {
                    continue; // close() from a worker thread itself: it stops on its own
                }
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (thread.isAlive()) {
                    log.warn("{} still busy after {}: interrupting it; its unfinished write stays uncommitted",
                            thread.getName(), config.closeTimeout());
                    thread.interrupt();
                    thread.join(Duration.ofSeconds(2).toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            meters.close();
            stopped.countDown();
        }
    }

    private void runWorker(ProcessorParts.Worker worker) {
        try {
            worker.body().run();
            if (state != State.CLOSED) {
                fail(new IllegalStateException(worker.name() + " stopped unexpectedly"));
            }
        } catch (Throwable t) {
            if (state == State.CLOSED) {
                log.warn("{} interrupted while closing: {}", worker.name(), t.toString());
                return;
            }
            log.error("{} stopped on an unexpected error; no offsets beyond the written data were committed",
                    worker.name(), t);
            fail(t);
        }
    }

    private void fail(Throwable t) {
        failure.compareAndSet(null, t);
        stopped.countDown();
    }
}
