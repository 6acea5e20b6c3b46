package io.tributary.demo.bench;

import io.tributary.common.KafkaClientConfig;
import io.tributary.demo.ConsumerLag;
import io.tributary.demo.measure.PrometheusText;
import io.tributary.demo.process.LocalHttp;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the pipeline once a second: the gateway's and the processor's {@code /metrics}, the readings writer's
 * Kafka lag from the broker, and the CPU of every component. The samples are the throughput-over-time plot and the
 * input of the sustainability decisions.
 */
final class Sampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(2);

    private final URI gatewayMetrics;
    private final URI processorMetrics;
    private final String writerGroup;
    private final String telemetryTopic;
    private final ConsumerLag lag;
    /** Where a stack other than ours takes its samples from; null: our gateway's and processor's metrics. */
    private final Source source;
    private final CpuAccount cpu;
    private final LocalHttp http = new LocalHttp(HTTP_TIMEOUT);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "tributary-bench-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Sample> samples = new ArrayList<>();
    private final long startNanos;
    private volatile String phase = "start";

    Sampler(URI gatewayMetrics, URI processorMetrics, KafkaClientConfig kafka, String writerGroup,
            String telemetryTopic, CpuAccount cpu, long startNanos) {
        this.gatewayMetrics = gatewayMetrics;
        this.processorMetrics = processorMetrics;
        this.writerGroup = writerGroup;
        this.telemetryTopic = telemetryTopic;
        this.lag = new ConsumerLag(kafka);
        this.source = null;
        this.cpu = cpu;
        this.startNanos = startNanos;
    }

    /** The sample of a stack other than ours at {@code t} (its own counters in the same fields). */
    @FunctionalInterface
    interface Source {
        Sample sample(double t, String phase, Map<String, Double> cpuSeconds);
    }

    /** Samples {@code source} once a second instead of our gateway and processor. */
    Sampler(Source source, CpuAccount cpu, long startNanos) {
        this.gatewayMetrics = null;
        this.processorMetrics = null;
        this.writerGroup = null;
        this.telemetryTopic = null;
        this.lag = null;
        this.source = source;
        this.cpu = cpu;
        this.startNanos = startNanos;
    }

    void start() {
        timer.scheduleAtFixedRate(this::sampleSafely, 0, 1, TimeUnit.SECONDS);
    }

    void phase(String name) {
        this.phase = name;
    }

    /** Seconds since the benchmark started, on the samples' clock. */
    double now() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The samples taken between {@code from} and {@code to} (seconds on the samples' clock). */
    synchronized List<Sample> between(double from, double to) {
        return samples.stream().filter(s -> s.t() >= from && s.t() <= to).toList();
    }

    /** The latest sample, or null before the first. */
    synchronized Sample latest() {
        return samples.isEmpty() ? null : samples.get(samples.size() - 1);
    }

    private void sampleSafely() {
        try {
            Sample sample = source == null ? sample() : source.sample(now(), phase, cpu.snapshot());
            synchronized (this) {
                samples.add(sample);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // One missed sample is a gap in a plot, not a reason to stop sampling.
            LOG.warn("Sampling failed", e);
        }
    }

    private Sample sample() throws InterruptedException {
        double t = now();
        PrometheusText gateway = scrape(gatewayMetrics);
        PrometheusText processor = scrape(processorMetrics);
        double writerLag;
        try {
            writerLag = lag.lag(writerGroup, telemetryTopic);
        } catch (IllegalStateException e) {
            writerLag = Double.NaN;
        }
        return new Sample(t, phase,
                gateway.sum("tributary_gateway_readings_in_total"),
                gateway.value("tributary_gateway_messages_in_total{kind=\"telemetry\"}"),
                processor.value("tributary_processor_points_written_total{writer=\"readings\"}"),
                processor.sum("tributary_processor_readings_processed_total"),
                writerLag,
                processor.value("tributary_processor_consumer_lag_records{consumer=\"streams\"}"),
                cpu.snapshot());
    }

    /** The component's metrics; none (every value NaN) while it is busy or gone. */
    private PrometheusText scrape(URI uri) {
        return PrometheusText.parse(http.get(uri));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (lag != null) {
            lag.close();
        }
    }
}
