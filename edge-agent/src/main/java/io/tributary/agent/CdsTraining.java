package io.tributary.agent;

import io.tributary.agent.batch.BatchAssembler;
import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.MqttSettings;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.sensor.Sensor;
import io.tributary.agent.sensor.SensorException;
import io.tributary.agent.sensor.SensorSpec;
import io.tributary.agent.sensor.Sensors;
import io.tributary.agent.transport.PahoPublisher;
import io.tributary.proto.v1.ReadingBatch;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One pass over the agent's code paths without side effects, run by install.sh under
 * {@code -XX:ArchiveClassesAtExit} to build the AppCDS archive: config (already loaded), sensors, a batch, the outbox
 * (in a temp dir), and an MQTT connect attempt against a closed local port.
 */
final class CdsTraining {

    private CdsTraining() {
    }

    static void run(AgentConfig config) throws Exception {
        Sensors sensors = new Sensors(config.root());
        BatchAssembler assembler = new BatchAssembler(config.deviceId(), 10, 1);
        for (SensorSpec spec : config.sensors()) {
            if (spec.type().equals("command")) {
                continue; // no side effects at install time
            }
            Sensor sensor = sensors.create(spec);
            try {
                assembler.add(sensor.name(), sensor.unit(), sensor.read(), System.nanoTime(), System.nanoTime());
            } catch (SensorException e) {
                assembler.add(sensor.name(), sensor.unit(), 0, System.nanoTime(), System.nanoTime());
            }
        }
        Path tmp = Files.createTempDirectory("tributary-cds");
        try {
            DiskOutbox outbox = new DiskOutbox(tmp, config.outbox());
            ReadingBatch batch = assembler.close(outbox.nextSequence(), System.nanoTime(), 0);
            if (batch != null) {
                outbox.append(batch.getBatchSeq(), batch.getReadingsCount(), batch.toByteArray());
                ReadingBatch.parseFrom(outbox.read(batch.getBatchSeq()));
                outbox.acknowledge(batch.getBatchSeq());
            }
            outbox.close();
            int closedPort;
            try (ServerSocket s = new ServerSocket(0)) {
                closedPort = s.getLocalPort();
            }
            MqttSettings m = config.mqtt();
            MqttSettings local = new MqttSettings("tcp://127.0.0.1:" + closedPort, m.username(), m.password(), null,
                    null, null, m.keepAlive(), Duration.ofSeconds(1), m.backoffInitial(), m.backoffMax(),
                    m.maxInflight(), m.replayRate());
            PahoPublisher publisher = new PahoPublisher(local, config.deviceId(), config.statusTopic(),
                    config.configTopic());
            try {
                publisher.connect(new byte[0], new byte[0]);
            } catch (Exception expected) {
                // nothing listens there
            }
            publisher.close();
        } finally {
            deleteTree(tmp);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
