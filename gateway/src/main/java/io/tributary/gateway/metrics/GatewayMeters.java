package io.tributary.gateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.gateway.GatewayMetrics;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one gateway's {@code /metrics} shows: its counters (when they are a {@link MicrometerGatewayMetrics}),
 * readiness and connection limit, the JVM and process meters and the Kafka producer's own metrics.
 */
public final class GatewayMeters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayMeters.class);

    private final PrometheusMeterRegistry registry;
    private volatile AutoCloseable system;
    private volatile KafkaClientMetrics producer;

    /**
     * @param metrics the gateway's counters; another implementation than {@link MicrometerGatewayMetrics} is not shown
     * @param ready whether the gateway is ready, read at each scrape
     * @param maxConnections the configured connection limit
     */
    public GatewayMeters(GatewayMetrics metrics, BooleanSupplier ready, int maxConnections) {
        registry = metrics instanceof MicrometerGatewayMetrics micrometer ? micrometer.registry()
                : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Gauge.builder("tributary.gateway.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 while Kafka is reachable and the device registry is loaded").register(registry);
        Gauge.builder("tributary.gateway.connections.max", () -> maxConnections)
                .description("Configured connection limit").register(registry);
    }

    /** Shows the producer's own metrics ({@code kafka_producer_*}) until {@link #close()}. */
    public void bindProducer(Producer<?, ?> kafkaProducer) {
        KafkaClientMetrics binder = new KafkaClientMetrics(kafkaProducer);
        binder.bindTo(registry);
        producer = binder;
    }

    /** Shows the JVM's and the process's meters until {@link #close()}. */
    public void bindSystem() {
        system = SystemMetrics.bind(registry);
    }

    /** The Prometheus text of every meter; see {@link MicrometerGatewayMetrics#scrape(PrometheusMeterRegistry)}. */
    public String scrape() {
        return MicrometerGatewayMetrics.scrape(registry);
    }

    /** The registry, for more binders (e.g. another Kafka client). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Stops the Kafka metrics refresh and the GC listener. */
    @Override
    public void close() {
        KafkaClientMetrics kafka = producer;
        if (kafka != null) {
            kafka.close();
        }
        AutoCloseable jvm = system;
        if (jvm != null) {
            try {
                jvm.close();
            } catch (Exception e) {
                LOG.debug("Could not stop the GC meters", e);
            }
        }
    }
}
