package io.tributary.gateway;

import io.tributary.gateway.kafka.KafkaOutbound;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded steps of {@link Gateway#close()}: each waits at most its timeout and logs (never throws) when a part
 * does not stop in time, so one stuck part cannot hold the shutdown up.
 */
final class GatewayShutdown {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** The bound of each step that has no configured timeout. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(5);

    private GatewayShutdown() {
    }

    /** Waits up to {@code timeout} for the records handed to Kafka (their PUBACKs go out); logs how many are left. */
    static void awaitInFlight(KafkaOutbound kafka, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (kafka.inFlightRecords() > 0 && System.nanoTime() - deadline < 0) {
            try {
                TimeUnit.MILLISECONDS.sleep(10); // off the event loop: close() runs on a caller or shutdown thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long left = kafka.inFlightRecords();
        if (left > 0) {
            LOG.warn("Shutting down with {} Kafka sends unfinished after {} ms; their devices get no PUBACK and"
                    + " re-send", left, timeout.toMillis());
        }
    }

    static void stopListeners(Vertx vertx) {
        for (String deploymentId : vertx.deploymentIDs()) {
            await(vertx.undeploy(deploymentId), STEP_TIMEOUT, "stop MQTT server");
        }
    }

    /** Closes Vert.x: waits for it unless on one of its own threads (which the close would wait for). */
    static void stopVertx(Vertx vertx) {
        if (!Context.isOnVertxThread()) {
            await(vertx.close(), STEP_TIMEOUT, "stop Vert.x");
        } else {
            vertx.close().onFailure(e -> LOG.warn("Vert.x did not stop cleanly", e));
        }
    }

    /** Waits up to {@code timeout} for {@code future}; a failure or a timeout is logged as "Could not {what}". */
    static void await(Future<?> future, Duration timeout, String what) {
        try {
            future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.debug("Could not {}: {}", what, e.getCause().toString());
        } catch (TimeoutException e) {
            LOG.warn("Could not {} within {} ms", what, timeout.toMillis());
        }
    }
}
