package io.tributary.demo.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the stack under test once a second ({@link BenchStack#sample}) with the CPU of every component. The samples
 * are the throughput-over-time plot and the input of the sustainability decisions.
 */
final class StackSampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StackSampler.class);

    private final BenchStack stack;
    private final CpuAccount cpu;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "tributary-bench-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Sample> samples = new ArrayList<>();
    private final long startNanos;
    private volatile String phase = "start";

    StackSampler(BenchStack stack, CpuAccount cpu, long startNanos) {
        this.stack = stack;
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
            Sample sample = stack.sample(now(), phase, cpu.snapshot());
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

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
