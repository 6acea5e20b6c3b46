package io.tributary.gateway.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every gateway instance's in-memory copy of the registry: a consumer thread reads both compacted topics from the
 * beginning and keeps following them, so a device added, disabled or reconfigured anywhere is seen by every instance
 * within a poll. Lookups never block.
 */
public final class DeviceRegistryView implements DeviceLookup, DeviceConfigs, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistryView.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final RegistryState state;
    private final Map<String, Object> kafkaProperties;
    private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();
    private final RegistryListener fanOut = new RegistryListener() {
        @Override
        public void deviceChanged(String deviceId, Optional<DeviceRecord> device) {
            for (RegistryListener listener : listeners) {
                try {
                    listener.deviceChanged(deviceId, device);
                } catch (RuntimeException e) {
                    LOG.warn("Registry listener failed [device: {}]", deviceId, e);
                }
            }
        }

        @Override
        public void configChanged(String deviceId, Optional<byte[]> config) {
            for (RegistryListener listener : listeners) {
                try {
                    listener.configChanged(deviceId, config);
                } catch (RuntimeException e) {
                    LOG.warn("Registry listener failed [device: {}]", deviceId, e);
                }
            }
        }
    };
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean closed;
    private Thread thread;

    /**
     * @param topics the registry topics
     * @param kafkaProperties at least {@code bootstrap.servers}, plus security settings if any
     */
    public DeviceRegistryView(RegistryTopics topics, Map<String, Object> kafkaProperties) {
        this.state = new RegistryState(topics);
        this.kafkaProperties = Map.copyOf(kafkaProperties);
    }

    /** Adds a listener for changes read after this call. */
    public void addListener(RegistryListener listener) {
        listeners.add(listener);
    }

    /**
     * Starts following the topics and blocks until everything written before the call is loaded.
     *
     * @throws RegistryException when Kafka or a topic is not there within {@code timeout}
     */
    public synchronized void start(Duration timeout) {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        thread = new Thread(() -> run(timeout, loaded), "device-registry");
        thread.setDaemon(true);
        thread.start();
        try {
            loaded.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            close();
            throw e.getCause() instanceof RegistryException r ? r
                    : new RegistryException("could not load the device registry: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            close();
            throw new RegistryException("the device registry did not load within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new RegistryException("interrupted while loading the device registry", e);
        }
    }

    private void run(Duration timeout, CompletableFuture<Void> loaded) {
        try (KafkaConsumer<String, byte[]> kafka = RegistryState.consumer(kafkaProperties, "tributary-registry-view")) {
            consumer = kafka;
            if (closed) {
                return;
            }
            Map<TopicPartition, Long> ends = state.assignFromBeginning(kafka, timeout);
            boolean ready = false;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!closed) {
                for (ConsumerRecord<String, byte[]> record : kafka.poll(POLL)) {
                    state.apply(record, ready ? fanOut : new RegistryListener() { });
                }
                if (!ready) {
                    if (RegistryState.caughtUp(kafka, ends, timeout)) {
                        ready = true;
                        LOG.info("Device registry loaded [devices: {}]", state.devices().size());
                        loaded.complete(null);
                    } else if (System.nanoTime() - deadline > 0) {
                        throw new RegistryException("the device registry did not load within " + timeout.toMillis()
                                + " ms");
                    }
                }
            }
        } catch (WakeupException e) {
            loaded.completeExceptionally(new RegistryException("closed while loading the device registry"));
        } catch (RuntimeException e) {
            if (!loaded.isDone()) {
                loaded.completeExceptionally(e instanceof RegistryException ? e
                        : new RegistryException("could not read the device registry: " + e.getMessage(), e));
            } else if (!closed) {
                LOG.error("The device registry stopped following Kafka; device changes are no longer seen", e);
            }
        }
    }

    @Override
    public Optional<DeviceRecord> device(String deviceId) {
        return state.device(deviceId);
    }

    @Override
    public Optional<byte[]> configFor(String deviceId) {
        return state.config(deviceId);
    }

    /** Every device, by id. */
    public List<DeviceRecord> devices() {
        return state.devices();
    }

    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            running = thread;
        }
        KafkaConsumer<String, byte[]> kafka = consumer;
        if (kafka != null) {
            kafka.wakeup();
        }
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
