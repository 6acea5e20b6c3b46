package io.tributary.gateway.registry;

import io.tributary.contract.registry.DeviceRecord;
import io.tributary.contract.registry.CredentialRules;
import io.tributary.contract.registry.RegistryException;
import io.tributary.contract.registry.RegistryListener;
import io.tributary.contract.registry.RegistryState;
import io.tributary.contract.registry.RegistryTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
    private static final long POLL_MILLIS = 200;
    private static final Duration POLL = Duration.ofMillis(POLL_MILLIS);

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
    /** When the consumer thread last came back from {@code poll} (System.nanoTime); 0 before it first did. */
    private volatile long lastPollNanos;
    /** Why the consumer thread ended, once it did while not closed; null while it runs. */
    private volatile String stoppedBecause;

    /**
     * With the {@link CredentialRules#DEFAULTS default rules} for records, not counting refused ones.
     *
     * @param topics the registry topics
     * @param kafkaProperties at least {@code bootstrap.servers}, plus security settings if any
     */
    public DeviceRegistryView(RegistryTopics topics, Map<String, Object> kafkaProperties) {
        this(topics, kafkaProperties, CredentialRules.DEFAULTS, problem -> { });
    }

    /**
     * @param topics the registry topics
     * @param kafkaProperties at least {@code bootstrap.servers}, plus security settings if any
     * @param rules what a device record must look like; a record breaking them is refused (the device cannot log
     *     in), counted and logged, never fatal
     * @param refusals told about each refused record (on the registry thread; must not block)
     */
    public DeviceRegistryView(RegistryTopics topics, Map<String, Object> kafkaProperties, CredentialRules rules,
            Consumer<CredentialRules.Problem> refusals) {
        this.state = new RegistryState(topics, rules, refusals);
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
                ConsumerRecords<String, byte[]> records = kafka.poll(POLL);
                lastPollNanos = System.nanoTime();
                for (ConsumerRecord<String, byte[]> record : records) {
                    try {
                        state.apply(record, ready ? fanOut : new RegistryListener() { });
                    } catch (RuntimeException e) { // apply refuses bad records itself; this is the last guard
                        LOG.warn("Skipping a registry record that could not be applied [topic: {}, offset: {}]",
                                record.topic(), record.offset(), e);
                    }
                }
                if (!ready) {
                    if (RegistryState.caughtUp(kafka, ends, timeout)) {
                        ready = true;
                        LOG.info("Device registry loaded [devices: {}, refused records: {}]", state.devices().size(),
                                state.refused().size());
                        loaded.complete(null);
                    } else if (System.nanoTime() - deadline > 0) {
                        throw new RegistryException("the device registry did not load within " + timeout.toMillis()
                                + " ms");
                    }
                }
            }
        } catch (WakeupException e) {
            loaded.completeExceptionally(new RegistryException("closed while loading the device registry"));
            if (!closed) {
                stoppedBecause = "woken up while not closed";
            }
        } catch (RuntimeException | Error e) {
            // An Error too: the gateway must learn that nobody follows the registry any more (readiness turns false).
            if (!loaded.isDone()) {
                loaded.completeExceptionally(e instanceof RegistryException ? e
                        : new RegistryException("could not read the device registry: " + e.getMessage(), e));
            } else if (!closed) {
                LOG.error("The device registry stopped following Kafka; device changes are no longer seen: not ready",
                        e);
            }
            if (!closed) {
                stoppedBecause = String.valueOf(e);
            }
            if (e instanceof VirtualMachineError fatal) {
                throw fatal; // out of memory and the like: let the thread's uncaught handler see it too
            }
        } finally {
            if (!closed && stoppedBecause == null) {
                stoppedBecause = "the registry thread ended";
            }
        }
    }

    /**
     * Whether the registry consumer is alive and polling: empty when it is, else why not. The gateway turns
     * {@code /health/ready} false on a reason: with nobody following the registry, a disabled device stays
     * connected and a new one cannot log in.
     *
     * @param stallTimeout how long the consumer may go without returning from {@code poll} (it returns every
     *     {@value #POLL_MILLIS} ms when all is well, also while Kafka is unreachable)
     */
    public Optional<String> unhealthyBecause(Duration stallTimeout) {
        if (closed) {
            return Optional.of("device registry closed");
        }
        String stopped = stoppedBecause;
        if (stopped != null) {
            return Optional.of("device registry consumer stopped: " + stopped);
        }
        long last = lastPollNanos;
        if (last == 0) {
            return Optional.of("device registry not loaded");
        }
        long silentNanos = System.nanoTime() - last;
        if (silentNanos > stallTimeout.toNanos()) {
            return Optional.of("device registry consumer has not polled Kafka for " + silentNanos / 1_000_000_000L
                    + " s");
        }
        return Optional.empty();
    }

    /** Devices whose latest record was refused (they cannot log in), with the reason. */
    public Map<String, CredentialRules.Problem> refusedDevices() {
        return state.refused();
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
