package io.tributary.gateway;

import io.tributary.gateway.kafka.KafkaOutbound;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Touches the producer's topic metadata every minute, on a worker, so the producer never forgets it on a quiet
 * gateway and the next device's send does not block on a metadata fetch (see {@link KafkaOutbound#keepWarm()}).
 */
final class KafkaKeepWarm {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final Duration INTERVAL = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final long timer;

    private KafkaKeepWarm(Vertx vertx, long timer) {
        this.vertx = vertx;
        this.timer = timer;
    }

    static KafkaKeepWarm start(Vertx vertx, KafkaOutbound kafka) {
        return new KafkaKeepWarm(vertx, vertx.setPeriodic(INTERVAL.toMillis(), t -> vertx.<Void>executeBlocking(() -> {
            kafka.keepWarm();
            return null;
        }, false).onFailure(e -> LOG.warn("Kafka metadata refresh failed", e))));
    }

    void stop() {
        vertx.cancelTimer(timer);
    }
}
