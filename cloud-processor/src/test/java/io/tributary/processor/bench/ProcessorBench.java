package io.tributary.processor.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.localstack.LocalStack;
import io.tributary.processor.Processor;
import io.tributary.processor.config.AnalyticsConfig;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;

/**
 * The processor benchmark: {@code ProcessorBench --out DIR [--max-seconds 15] [--half-seconds 20] [--health on|off]
 * [--enrichment]} ({@code --health off}: without device health tracking; {@code --enrichment}: labels as tags; to
 * measure their cost in alternating runs).
 *
 * <ol>
 *   <li>Starts the local stack (in-JVM Kafka, influxd) and a {@link Processor} with rollups (10 s, 1 min) and an alert
 *       rule, all in this JVM.</li>
 *   <li>Max load: a producer in this JVM sends batches of 10 readings (1,000 devices, 2 sensors) as fast as Kafka
 *       takes them; the processor's readings (written to InfluxDB <em>and</em> run through rollups and alerts) are
 *       divided by the CPU time of the processor's own threads (Streams, writers, their Kafka and HTTP client
 *       threads; not the broker, not the load generator, not influxd).</li>
 *   <li>Half that load, plus a probe device every 100 ms whose every reading flips an alert: latency from the
 *       produce call to (a) the alert event readable on the alerts topic (read_committed) and (b) the reading
 *       returned by an InfluxQL query.</li>
 * </ol>
 * With {@code --enrichment} every device has labels (site, kind, owner) and site and kind become tags of readings,
 * rollups and alerts. Writes {@code DIR/processor-bench.json}. The gateway's MQTT hop is not included: "publish" is the Kafka produce.
 */
public final class ProcessorBench {

    private static final String PREFIX = "bench.";
    private static final String GROUP = "bench-proc";
    private static final int DEVICES = 1_000;
    private static final int READINGS_PER_BATCH = 10;

    public static void main(String[] args) throws Exception {
        Path out = null;
        int maxSeconds = 15;
        int halfSeconds = 20;
        boolean health = true;
        boolean enrichment = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--max-seconds" -> maxSeconds = Integer.parseInt(args[++i]);
                case "--half-seconds" -> halfSeconds = Integer.parseInt(args[++i]);
                case "--health" -> health = !args[++i].equals("off");
                case "--enrichment" -> enrichment = true;
                default -> {
                    System.err.println("usage: ProcessorBench --out DIR [--max-seconds 15] [--half-seconds 20] "
                            + "[--enrichment]");
                    System.exit(2);
                }
            }
        }
        if (out == null) {
            System.err.println("usage: ProcessorBench --out DIR [--max-seconds 15] [--half-seconds 20] "
                            + "[--enrichment]");
            System.exit(2);
        }
        Files.createDirectories(out);
        Path rules = Files.createTempFile("bench-rules", ".yaml");
        Files.writeString(rules, """
                rules:
                  - {name: load_high, sensor: load, above: 1000, clear: 900, for: 5s, severity: warning}
                  - {name: probe_flip, device: "probe-*", sensor: probe, above: 100, clear: 0, severity: info}
                """);
        try (LocalStack stack = LocalStack.start()) {
            stack.createTopics(4, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "rollups", PREFIX + "alerts");
            stack.createTopics(1, PREFIX + "device-metadata");
            HttpClient http = HttpClient.newHttpClient();
            query(http, stack.influxDirectUrl(), null, "CREATE DATABASE bench");
            ProcessorConfig config = ProcessorConfig.builder().kafkaBootstrapServers(stack.kafkaBootstrapServers())
                .topicPrefix(PREFIX).consumerGroup(GROUP)
                .influx(stack.influxUrl(), stack.influxToken(), stack.influxOrg(), "bench").maxPointsPerWrite(5_000)
                    .analytics(AnalyticsConfig.builder().alertRules(rules, Duration.ofSeconds(5))
                            .health(health, Duration.ofSeconds(10)).build())
                    .enrichmentTags(enrichment ? List.of("site", "kind") : List.of()).build();
            try (Processor processor = new Processor(config);
                    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(stack))) {
                if (enrichment) {
                    for (int d = 0; d < DEVICES; d++) {
                        String device = "dev-" + d;
                        producer.send(new ProducerRecord<>(PREFIX + "device-metadata",
                                device.getBytes(StandardCharsets.UTF_8), new DeviceLabels(device, Map.of("site",
                                        "plant-" + d % 10, "kind", d % 2 == 0 ? "motor" : "pump", "owner", "ops"),
                                        java.time.Instant.now()).toJson()));
                    }
                    producer.flush();
                }
                processor.start();
                long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!processor.isReady() && System.nanoTime() < until) {
                    Thread.sleep(100);
                }
                Load load = new Load(producer, processor);
                load.run(Duration.ofSeconds(3), 20_000);
                drain(processor, Duration.ofSeconds(30));

                // Phase 1: max load.
                long r0 = handled(processor);
                double cpu0 = processorCpuSeconds();
                long t0 = System.nanoTime();
                load.run(Duration.ofSeconds(maxSeconds), 0);
                long r1 = handled(processor);
                double cpu1 = processorCpuSeconds();
                double seconds = (System.nanoTime() - t0) / 1e9;
                double maxRate = (r1 - r0) / seconds;
                double perCpu = (r1 - r0) / Math.max(1e-9, cpu1 - cpu0);
                System.err.printf(Locale.ROOT, "max load: %.0f readings/s handled, %.0f readings per processor "
                        + "CPU-second (%.1f CPU-s in %.1f s)%n", maxRate, perCpu, cpu1 - cpu0, seconds);
                drain(processor, Duration.ofSeconds(30));

                // Phase 2: half load with probes.
                double halfRate = maxRate / 2;
                Probes probes = new Probes(stack, producer, http);
                probes.start();
                load.run(Duration.ofSeconds(halfSeconds), halfRate);
                probes.stop();
                Map<String, Object> result = new java.util.LinkedHashMap<>();
                result.put("readings_per_cpu_s", Math.round(perCpu));
                result.put("alert_p50_ms", percentile(probes.alertMs, 50));
                result.put("alert_p99_ms", percentile(probes.alertMs, 99));
                result.put("queryable_p50_ms", percentile(probes.queryableMs, 50));
                result.put("queryable_p99_ms", percentile(probes.queryableMs, 99));
                result.put("max_readings_per_s", Math.round(maxRate));
                result.put("half_load_readings_per_s", Math.round(halfRate));
                result.put("alert_samples", probes.alertMs.size());
                result.put("queryable_samples", probes.queryableMs.size());
                result.put("cores", Runtime.getRuntime().availableProcessors());
                result.put("enrichment", enrichment);
                result.put("note", "one JVM with the Kafka broker, the load generator and the processor; influxd "
                        + "1.6 beside it; shared machine. Publish = Kafka produce (the MQTT hop is not included).");
                String json = toJson(result);
                Files.writeString(out.resolve("processor-bench.json"), json + "\n");
                System.out.println(json);
            }
        } finally {
            Files.deleteIfExists(rules);
        }
    }

    /** Readings both stored raw and run through Streams. */
    private static long handled(Processor p) {
        return Math.min(p.meters().count("points.written", "writer", "readings"),
                p.meters().count("readings.processed"));
    }

    private static void drain(Processor p, Duration max) throws InterruptedException {
        long until = System.nanoTime() + max.toNanos();
        long last = -1;
        while (System.nanoTime() < until) {
            long now = handled(p);
            if (now == last) {
                return;
            }
            last = now;
            Thread.sleep(1_000);
        }
    }

    /** CPU time of the processor's threads: its writers, Streams and their clients' threads. */
    static double processorCpuSeconds() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String name = info.getThreadName();
            boolean processor = name.contains(GROUP) || name.startsWith("OkHttp")
                    || (name.startsWith("tributary-") && !name.startsWith("tributary-bench"));
            if (processor) {
                long cpu = mx.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    total += cpu;
                }
            }
        }
        return total / 1e9;
    }

    private static Properties producerProps(LocalStack stack) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "tributary-bench-load");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(16L << 20));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** The load generator: batches of 10 readings from 1,000 devices with event time = now. */
    private static final class Load {
        /** At most this many readings sent but not yet handled: max load is what the processor sustains. */
        private static final long MAX_BACKLOG = 50_000;
        private final KafkaProducer<byte[], byte[]> producer;
        private final Processor processor;
        private final long[] seq = new long[DEVICES];
        private long lastNanos;
        private int next;
        private long sentTotal;

        Load(KafkaProducer<byte[], byte[]> producer, Processor processor) {
            this.producer = producer;
            this.processor = processor;
        }

        /** Sends for {@code d}; {@code readingsPerSecond} 0 = as fast as the processor keeps up. */
        void run(Duration d, double readingsPerSecond) {
            long end = System.nanoTime() + d.toNanos();
            long start = System.nanoTime();
            long sentReadings = 0;
            while (System.nanoTime() < end) {
                if (sentTotal - handled(processor) > MAX_BACKLOG) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    continue;
                }
                if (readingsPerSecond > 0) {
                    double due = (System.nanoTime() - start) / 1e9 * readingsPerSecond;
                    if (sentReadings >= due) {
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                        continue;
                    }
                }
                send();
                sentReadings += READINGS_PER_BATCH;
                sentTotal += READINGS_PER_BATCH;
            }
            producer.flush();
        }

        private void send() {
            int d = next++ % DEVICES;
            String device = "dev-" + d;
            long nowNanos = Math.max(System.currentTimeMillis() * 1_000_000L, lastNanos + 1);
            lastNanos = nowNanos;
            ReadingBatch.Builder b = ReadingBatch.newBuilder().setDeviceId(device).setBatchSeq(++seq[d])
                    .setCreatedAtUnixNanos(nowNanos);
            for (int r = 0; r < READINGS_PER_BATCH; r++) {
                b.addReadings(Reading.newBuilder().setSensor(r % 2 == 0 ? "load" : "temp").setValue(r * 1.5 + d % 7)
                        .setEventTimeUnixNanos(nowNanos - (READINGS_PER_BATCH - r) * 1_000L));
            }
            producer.send(new ProducerRecord<>(PREFIX + "telemetry", device.getBytes(StandardCharsets.UTF_8),
                    b.build().toByteArray()));
        }
    }

    /** Sends one probe reading every 100 ms and measures when its alert and its stored point become visible. */
    private static final class Probes {
        final List<Double> alertMs = Collections.synchronizedList(new ArrayList<>());
        final List<Double> queryableMs = Collections.synchronizedList(new ArrayList<>());
        private final LocalStack stack;
        private final KafkaProducer<byte[], byte[]> producer;
        private final HttpClient http;
        private final Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread alertThread;
        private Thread probeThread;

        Probes(LocalStack stack, KafkaProducer<byte[], byte[]> producer, HttpClient http) {
            this.stack = stack;
            this.producer = producer;
            this.http = http;
        }

        void start() {
            alertThread = new Thread(this::consumeAlerts, "tributary-bench-alerts");
            probeThread = new Thread(this::probe, "tributary-bench-probe");
            alertThread.start();
            probeThread.start();
        }

        void stop() throws InterruptedException {
            Thread.sleep(2_000); // let the last probes arrive
            running.set(false);
            probeThread.join();
            alertThread.join();
        }

        private void probe() {
            int i = 0;
            while (running.get()) {
                long t0 = System.nanoTime();
                long eventNanos = System.currentTimeMillis() * 1_000_000L + (i % 1000);
                String device = "probe-1";
                ReadingBatch batch = ReadingBatch.newBuilder().setDeviceId(device).setBatchSeq(i + 1)
                        .addReadings(Reading.newBuilder().setSensor("probe").setValue(i % 2 == 0 ? 200 : -200)
                                .setEventTimeUnixNanos(eventNanos)).build();
                sentAt.put(eventNanos, t0);
                producer.send(new ProducerRecord<>(PREFIX + "telemetry", device.getBytes(StandardCharsets.UTF_8),
                        batch.toByteArray()));
                i++;
                long deadline = t0 + Duration.ofSeconds(5).toNanos();
                while (System.nanoTime() < deadline) {
                    try {
                        String body = query(http, stack.influxDirectUrl(), "bench",
                                "SELECT value FROM readings WHERE device = 'probe-1' AND time = " + eventNanos);
                        if (body.contains("\"values\"")) {
                            queryableMs.add((System.nanoTime() - t0) / 1e6);
                            break;
                        }
                        Thread.sleep(5);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
                long wait = Duration.ofMillis(100).toNanos() - (System.nanoTime() - t0);
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
        }

        private void consumeAlerts() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tributary-bench-alerts");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
                var partitions = consumer.partitionsFor(PREFIX + "alerts").stream()
                        .map(pi -> new org.apache.kafka.common.TopicPartition(pi.topic(), pi.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                        long received = System.nanoTime();
                        try {
                            AlertEvent e = AlertEvent.parseFrom(r.value());
                            Long sent = sentAt.remove(e.getTransitionTimeUnixNanos());
                            if (sent != null && e.getRule().equals("probe_flip")) {
                                alertMs.add((received - sent) / 1e6);
                            }
                        } catch (IOException e) {
                            // not an alert: ignore
                        }
                    }
                }
            }
        }
    }

    static String query(HttpClient http, String influx, String db, String q) throws IOException,
            InterruptedException {
        String form = "q=" + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&epoch=ns" + (db == null ? ""
                : "&db=" + db);
        return http.send(HttpRequest.newBuilder(URI.create(influx + "/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    static double percentile(List<Double> values, int p) {
        List<Double> sorted;
        synchronized (values) {
            sorted = new ArrayList<>(values);
        }
        if (sorted.isEmpty()) {
            return -1;
        }
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return Math.round(sorted.get(Math.max(0, index)) * 10) / 10.0;
    }

    static String toJson(Map<String, Object> map) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append('"').append(e.getKey()).append("\": ");
            Object v = e.getValue();
            b.append(v instanceof String s ? '"' + s.replace("\"", "\\\"") + '"' : String.valueOf(v));
        }
        return b.append('}').toString();
    }
}
