package io.tributary.agent;

import io.tributary.agent.batch.BatchAssembler;
import io.tributary.agent.batch.BatchQueue;
import io.tributary.agent.batch.BatchSequence;
import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.sensor.LinuxHostSensors;
import io.tributary.agent.sensor.Sensor;
import io.tributary.agent.transport.PahoPublisher;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./tributary agent}: publishes this host's metrics to a gateway. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Reads this host's sensors and publishes protobuf batches over MQTT 5 (QoS 1) to a gateway.")
public final class AgentMain implements Callable<Integer> {

    @Option(names = "--device-id", defaultValue = "${env:TRIBUTARY_DEVICE_ID}",
            description = "This device's id (default: the host name).")
    String deviceId;

    @Option(names = "--password", defaultValue = "${env:TRIBUTARY_DEVICE_PASSWORD:-}",
            description = "The device secret; prefer the env variable TRIBUTARY_DEVICE_PASSWORD.")
    String password;

    @Option(names = "--mqtt-uri", defaultValue = "${env:TRIBUTARY_MQTT_URI:-tcp://localhost:1883}",
            description = "The gateway (default: ${DEFAULT-VALUE}).")
    String mqttUri;

    @Option(names = "--sample-interval", defaultValue = "${env:TRIBUTARY_SAMPLE_INTERVAL:-PT5S}",
            description = "How often sensors are read, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration sampleInterval;

    @Option(names = "--batch-interval", defaultValue = "${env:TRIBUTARY_BATCH_INTERVAL:-PT30S}",
            description = "How often a batch is published, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration batchInterval;

    @Option(names = "--state-dir", defaultValue = "${env:TRIBUTARY_STATE_DIR:-agent-state}",
            description = "Where the agent keeps its state (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--max-queued-batches", defaultValue = "1000",
            description = "Unacknowledged batches kept; past it the oldest are dropped and counted (default: ${DEFAULT-VALUE}).")
    int maxQueuedBatches;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String id = deviceId != null && !deviceId.isBlank() ? deviceId : InetAddress.getLocalHost().getHostName();
        AgentConfig config = new AgentConfig(id, password, mqttUri, sampleInterval, batchInterval, stateDir,
                maxQueuedBatches);
        List<Sensor> sensors = LinuxHostSensors.discover(Path.of("/"));
        if (sensors.isEmpty()) {
            System.err.println("agent: no sensors found on this host (/proc/loadavg, /proc/meminfo, thermal zone)");
            return 2;
        }
        Agent agent = new Agent(config, sensors,
                new BatchAssembler(config.deviceId(), new BatchSequence(config.stateDir())),
                new BatchQueue(config.maxQueuedBatches()),
                new PahoPublisher(config.mqttServerUri(), config.deviceId(), config.password()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "agent-shutdown"));
        agent.start();
        stopped.await();
        return 0;
    }
}
