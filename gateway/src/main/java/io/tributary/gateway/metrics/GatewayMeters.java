package io.tributary.gateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Producer;

/** Everything one gateway's {@code /metrics} shows: counters, readiness, limit, JVM, process, Kafka producer. */
public final class GatewayMeters implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private volatile JvmGcMetrics gc;
    private volatile KafkaClientMetrics producer;

    public GatewayMeters(MicrometerGatewayMetrics metrics, BooleanSupplier ready, int maxConnections) {
        registry = metrics.registry();
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

    /** Shows the JVM's (memory, GC, threads, classes) and the process's (CPU, file descriptors, uptime) meters. */
    public void bindSystem() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics binder = new JvmGcMetrics();
        binder.bindTo(registry);
        gc = binder;
    }

    /** Where other parts (the Kafka cluster watch) register their meters. */
    public MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return MicrometerGatewayMetrics.scrape(registry);
    }

    @Override
    public void close() {
        KafkaClientMetrics kafka = producer;
        if (kafka != null) {
            kafka.close();
        }
        JvmGcMetrics jvm = gc;
        if (jvm != null) {
            jvm.close();
        }
    }
}
