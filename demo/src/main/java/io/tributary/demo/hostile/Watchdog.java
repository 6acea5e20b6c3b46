package io.tributary.demo.hostile;

import io.tributary.demo.process.ServiceProcess;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Polls both services' readiness every 500 ms and the gateway's heap every 2 s for the whole run, labelling each look
 * with the phase running then, so a not-ready moment is attributed to the attack that caused it.
 */
public final class Watchdog {

    /** One look at both services. */
    public record Check(Instant at, String phase, boolean gatewayReady, boolean processorReady, boolean gatewayAlive,
            boolean processorAlive, long gatewayHeapBytes) {
    }

    private final ServiceProcess gateway;
    private final ServiceProcess processor;
    private final BooleanSupplier gatewayReady;
    private final BooleanSupplier processorReady;
    private final List<Check> checks = new CopyOnWriteArrayList<>();
    private volatile String phase = "start";
    private volatile boolean running = true;
    private final Thread thread = new Thread(this::run, "hostile-watchdog");

    Watchdog(ServiceProcess gateway, ServiceProcess processor, BooleanSupplier gatewayReady,
            BooleanSupplier processorReady) {
        this.gateway = gateway;
        this.processor = processor;
        this.gatewayReady = gatewayReady;
        this.processorReady = processorReady;
    }

    void start() {
        thread.setDaemon(true);
        thread.start();
    }

    public void phase(String name) {
        phase = name;
    }

    public List<Check> checks() {
        return List.copyOf(checks);
    }

    /** Looks in phases other than {@code except} in which a service was not ready or not alive. */
    public List<Check> failuresOutside(String... except) {
        List<String> excused = List.of(except);
        return checks.stream().filter(c -> !excused.contains(c.phase()))
                .filter(c -> !(c.gatewayReady() && c.processorReady() && c.gatewayAlive() && c.processorAlive()))
                .toList();
    }

    public long peakGatewayHeapBytes() {
        return checks.stream().mapToLong(Check::gatewayHeapBytes).max().orElse(-1);
    }

    void stop() {
        running = false;
        thread.interrupt();
    }

    private void run() {
        long lastHeap = 0;
        while (running) {
            long heap = -1;
            if (System.nanoTime() - lastHeap > TimeUnit.SECONDS.toNanos(2)) {
                heap = gateway.heapUsedBytes(false);
                lastHeap = System.nanoTime();
            }
            checks.add(new Check(Instant.now(), phase, gatewayReady.getAsBoolean(), processorReady.getAsBoolean(),
                    gateway.isAlive(), processor.isAlive(), heap));
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
