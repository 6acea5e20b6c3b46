package io.tributary.simulator.provision;

import io.tributary.contract.registry.DeviceRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a run's devices in the gateway's registry (the compacted Kafka topic the gateway reads), with their labels
 * (the device metadata topic), as an operator does with {@code ./tributary devices add-many}, and hands back each
 * device's secret to connect with.
 *
 * <p>The registry stores a salted PBKDF2 hash of each secret; hashing is the cost (about 1-2 ms a device on this
 * machine's cores), so the ids are split into one chunk per core and the chunks are provisioned in parallel, each with one
 * registry read and pipelined writes ({@link DeviceRegistryClient#provisionAll}).
 */
public final class FleetProvisioner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FleetProvisioner.class);

    private final DeviceRegistryClient registry;
    private final int parallelism;

    public FleetProvisioner(DeviceRegistryClient registry, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        this.registry = registry;
        this.parallelism = parallelism;
    }

    /** A provisioner on its own registry client; close the client with {@link #close()}. */
    public static FleetProvisioner connect(String bootstrapServers, String topicPrefix,
            Map<String, String> kafkaProperties, Duration timeout) {
        return new FleetProvisioner(new DeviceRegistryClient(bootstrapServers, topicPrefix, kafkaProperties, timeout),
                Runtime.getRuntime().availableProcessors());
    }

    /**
     * Adds every device with a new secret.
     *
     * @return device id → password bytes
     * @throws IllegalStateException when a device exists already (choose a new run id)
     */
    public Map<String, byte[]> provision(List<String> deviceIds) throws InterruptedException {
        return provision(deviceIds, Map.of());
    }

    /**
     * Adds every device with a new secret and its labels.
     *
     * @param labels device id → its labels ({@link io.tributary.simulator.fleet.FleetPlan#labels()}); absent = none
     * @return device id → password bytes
     * @throws IllegalStateException when a device exists already (choose a new run id)
     */
    public Map<String, byte[]> provision(List<String> deviceIds, Map<String, Map<String, String>> labels)
            throws InterruptedException {
        long started = System.nanoTime();
        registry.ensureTopics();
        int chunkSize = Math.max(1, (deviceIds.size() + parallelism - 1) / parallelism);
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, runnable -> {
            Thread thread = new Thread(runnable, "provisioner");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Map<String, String>>> chunks = new ArrayList<>();
            for (int from = 0; from < deviceIds.size(); from += chunkSize) {
                List<String> chunk = deviceIds.subList(from, Math.min(deviceIds.size(), from + chunkSize));
                chunks.add(pool.submit(() -> registry.provisionAll(chunk, labels)));
            }
            Map<String, byte[]> passwords = new HashMap<>(deviceIds.size() * 2);
            for (Future<Map<String, String>> chunk : chunks) {
                chunk.get().forEach((id, secret) -> passwords.put(id, secret.getBytes(StandardCharsets.UTF_8)));
            }
            LOG.info("Provisioned devices [devices: {}, labelled: {}, seconds: {}, threads: {}]", deviceIds.size(),
                    labels.size(),
                    String.format("%.1f", (System.nanoTime() - started) / 1e9), parallelism);
            return passwords;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("provisioning failed: " + cause.getMessage(), cause);
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public void close() {
        registry.close();
    }
}
