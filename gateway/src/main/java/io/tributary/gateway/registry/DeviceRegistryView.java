package io.tributary.gateway.registry;

import io.tributary.contract.registry.CredentialRules;
import io.tributary.contract.registry.DeviceRecord;
import io.tributary.contract.registry.RegistryException;
import io.tributary.contract.registry.RegistryListener;
import io.tributary.contract.registry.RegistryState;
import io.tributary.contract.registry.RegistryTopics;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every gateway instance's in-memory copy of the registry: a consumer (vertx-kafka-client, on a worker context of its
 * own, {@link RegistryFollower}) reads both compacted topics from the beginning and keeps following them, so a device
 * added, disabled or reconfigured anywhere is seen by every instance within a poll. Lookups never block.
 */
public final class DeviceRegistryView implements DeviceLookup, DeviceConfigs, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistryView.class);
    private static final long CLOSE_TIMEOUT_MILLIS = 5000;

    private final Vertx vertx;
    private final RegistryTopics topics;
    private final RegistryState state;
    private final Properties consumerProperties;
    private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();
    private final RegistryListener fanOut = new RegistryListener() {
        @Override
        public void deviceChanged(String deviceId, Optional<DeviceRecord> device) {
            tellListeners(deviceId, listener -> listener.deviceChanged(deviceId, device));
        }

        @Override
        public void configChanged(String deviceId, Optional<byte[]> config) {
            tellListeners(deviceId, listener -> listener.configChanged(deviceId, config));
        }
    };
    private RegistryFollower follower;
    private Future<String> deployment;
    private volatile boolean closed;

    /**
     * @param vertx where the consumer runs (a worker context: a slow listener never holds an event loop)
     * @param rules a record breaking them is refused (the device cannot log in), counted and logged, never fatal
     * @param refusals told about each refused record (on the registry's context; must not block)
     */
    public DeviceRegistryView(Vertx vertx, RegistryTopics topics, Map<String, Object> kafkaProperties,
            CredentialRules rules, Consumer<CredentialRules.Problem> refusals) {
        this.vertx = vertx;
        this.topics = topics;
        this.state = new RegistryState(topics, rules, refusals);
        this.consumerProperties = RegistryTopics.consumerProperties(kafkaProperties, "tributary-registry-view");
    }

    public void addListener(RegistryListener listener) {
        listeners.add(listener);
    }

    private void tellListeners(String deviceId, Consumer<RegistryListener> change) {
        for (RegistryListener listener : listeners) {
            try {
                change.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("Registry listener failed [device: {}]", deviceId, e);
            }
        }
    }

    /** Follows the topics; blocks until all written before is loaded, else {@link RegistryException} after timeout. */
    public void start(Duration timeout) {
        RegistryFollower started;
        synchronized (this) {
            if (follower != null) {
                throw new IllegalStateException("already started");
            }
            started = new RegistryFollower(topics, consumerProperties, state, fanOut, timeout);
            follower = started;
            deployment = vertx.deployVerticle(started,
                    new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER));
        }
        CompletableFuture<Void> loaded = started.loaded();
        deployment.onFailure(loaded::completeExceptionally);
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

    /**
     * Whether the registry consumer is alive and polling: empty when it is, else why not. The gateway turns
     * {@code /health/ready} false on a reason: with nobody following the registry, a disabled device stays
     * connected and a new one cannot log in.
     *
     * @param stallTimeout how long the consumer may go without a sign of life from its Kafka thread (it gives one
     *     every {@value RegistryFollower#HEARTBEAT_MILLIS} ms when all is well, also while Kafka is unreachable)
     */
    public Optional<String> unhealthyBecause(Duration stallTimeout) {
        if (closed) {
            return Optional.of("device registry closed");
        }
        RegistryFollower running;
        synchronized (this) {
            running = follower;
        }
        if (running == null) {
            return Optional.of("device registry not loaded");
        }
        String stopped = running.stoppedBecause();
        if (stopped != null) {
            return Optional.of("device registry consumer stopped: " + stopped);
        }
        long last = running.lastPollNanos();
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

    @Override
    public Optional<DeviceRecord> device(String deviceId) {
        return state.device(deviceId);
    }

    @Override
    public Optional<byte[]> configFor(String deviceId) {
        return state.config(deviceId);
    }

    /** Stops following; waits a bounded time for the consumer to close unless called on a Vert.x thread. */
    @Override
    public void close() {
        RegistryFollower running;
        Future<String> deployed;
        synchronized (this) {
            closed = true;
            running = follower;
            deployed = deployment;
        }
        if (running == null) {
            return;
        }
        running.loaded().completeExceptionally(new RegistryException("closed while loading the device registry"));
        Future<Void> undeployed = deployed.transform(id -> id.succeeded() && vertx.deploymentIDs().contains(
                id.result()) ? vertx.undeploy(id.result()) : Future.<Void>succeededFuture());
        if (Context.isOnVertxThread()) {
            undeployed.onFailure(e -> LOG.warn("The device registry consumer did not close cleanly", e));
            return;
        }
        try {
            undeployed.toCompletionStage().toCompletableFuture().get(CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("The device registry consumer did not close within {} ms", CLOSE_TIMEOUT_MILLIS, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
