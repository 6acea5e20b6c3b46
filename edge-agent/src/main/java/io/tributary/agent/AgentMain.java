package io.tributary.agent;

import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.ConfigException;
import io.tributary.agent.config.AgentConfigFile;
import io.tributary.agent.config.BrokerConnection;
import io.tributary.agent.config.SecretFile;
import io.tributary.agent.config.Values;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.outbox.OutboxSettings;
import io.tributary.agent.sensor.Sensors;
import io.tributary.agent.transport.PahoPublisher;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./tributary agent}: samples this device's sensors and publishes them to a gateway. Exit code 2 = bad config
 * or usage.
 *
 * <p>The options are parsed by hand rather than with picocli, which the other services use: picocli costs the device
 * about 3.3 MB of RSS (measured; docs/adr/0009-agent-cli-parser.md).
 */
public final class AgentMain {

    static final String USAGE = """
            Usage: agent [--config FILE] [--check-config] [--device-id ID] [--password-file FILE] [--mqtt-uri URI]
                         [--state-dir DIR] [--sample-interval DURATION] [--batch-interval DURATION] [-h]
            Reads sensors (YAML config) and publishes protobuf batches over MQTT 5 (QoS 1) to a gateway, through a
            durable disk outbox. See edge-agent/README.md.
              --config FILE         the YAML config (env TRIBUTARY_AGENT_CONFIG). Without it: this host's CPU, load,
                                    memory, disk and thermal sensors
              --check-config        validate the config and exit (0 = valid, 2 = invalid)
              --device-id ID        overrides device.id (env TRIBUTARY_DEVICE_ID; default without a config: host name)
              --password-file FILE  the file holding the device secret (one line; make it mode 0600 or 0640);
                                    overrides mqtt.password / mqtt.password-file (env TRIBUTARY_DEVICE_PASSWORD_FILE).
                                    A secret is never taken on the command line, where every user sees it in ps
              --mqtt-uri URI        overrides mqtt.uri (env TRIBUTARY_MQTT_URI; default tcp://localhost:1883)
              --state-dir DIR       overrides outbox.dir (env TRIBUTARY_STATE_DIR; default without a config: agent-state)
              --sample-interval D   without a config: how often sensors are read (env TRIBUTARY_SAMPLE_INTERVAL; 5s)
              --batch-interval D    without a config: the longest a batch stays open (env TRIBUTARY_BATCH_INTERVAL; 10s)
              -h, --help            this help
            Exit codes: 0 stopped normally, 2 invalid config or usage.
            """;

    /** The options that take a value, and the environment variable each falls back to. */
    private static final Map<String, String> ENV = Map.of("--config", "TRIBUTARY_AGENT_CONFIG",
            "--device-id", "TRIBUTARY_DEVICE_ID", "--password-file", "TRIBUTARY_DEVICE_PASSWORD_FILE",
            "--mqtt-uri", "TRIBUTARY_MQTT_URI", "--state-dir", "TRIBUTARY_STATE_DIR",
            "--sample-interval", "TRIBUTARY_SAMPLE_INTERVAL", "--batch-interval", "TRIBUTARY_BATCH_INTERVAL");

    private AgentMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs the agent until the JVM shuts down; returns the exit code. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> options = new HashMap<>();
        boolean checkOnly = false;
        boolean cdsTraining = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--check-config" -> checkOnly = true;
                case "--password" -> {
                    // the value is deliberately not echoed: it may be the secret
                    err.println("agent: --password is not accepted: a secret on the command line is visible to every "
                            + "user (ps, /proc). Put it in a file (mode 0600 or 0640) and pass --password-file FILE "
                            + "(or env TRIBUTARY_DEVICE_PASSWORD_FILE, or mqtt.password-file in the config)");
                    return 2;
                }
                case "--cds-training" -> cdsTraining = true; // install.sh: builds the AppCDS archive
                default -> {
                    if (!ENV.containsKey(arg)) {
                        err.println("agent: unknown option '" + arg + "'\n" + USAGE);
                        return 2;
                    }
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            err.println("agent: " + arg + " needs a value");
                            return 2;
                        }
                        value = args[++i];
                    }
                    options.put(arg, value);
                }
            }
        }
        if (env.get("TRIBUTARY_DEVICE_PASSWORD") != null) {
            err.println("agent: TRIBUTARY_DEVICE_PASSWORD is not accepted any more: put the secret in a file and set "
                    + "TRIBUTARY_DEVICE_PASSWORD_FILE (or pass --password-file FILE)");
            return 2;
        }
        ENV.forEach((option, name) -> {
            String v = env.get(name);
            if (v != null && !v.isEmpty()) {
                options.putIfAbsent(option, v);
            }
        });

        String configFile = options.get("--config");
        AgentConfig config;
        try {
            AgentConfigFile.Overrides overrides = new AgentConfigFile.Overrides(options.get("--device-id"), null,
                    options.get("--mqtt-uri"),
                    options.containsKey("--state-dir") ? Path.of(options.get("--state-dir")) : null, null,
                    options.containsKey("--password-file") ? Path.of(options.get("--password-file")) : null);
            config = configFile != null ? AgentConfigFile.load(Path.of(configFile), overrides) : hostDefaults(options);
        } catch (ConfigException e) {
            err.println("agent: invalid config" + (configFile == null ? "" : " in " + configFile) + ": "
                    + e.getMessage());
            return 2;
        }
        if (checkOnly) {
            out.println("agent: config is valid [device: " + config.deviceId() + ", sensors: "
                    + config.sensors().size() + "]");
            return 0;
        }
        if (cdsTraining) {
            CdsTraining.run(config);
            return 0;
        }
        DiskOutbox outbox;
        try {
            outbox = new DiskOutbox(config.stateDir(), config.outbox());
        } catch (RuntimeException e) {
            err.println("agent: cannot open the outbox in " + config.stateDir() + ": " + e.getMessage());
            return 2;
        }
        PahoPublisher publisher = new PahoPublisher(config.mqtt(), config.deviceId(), config.statusTopic(),
                config.configTopic());
        Agent agent = new Agent(config, outbox, publisher);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "agent-shutdown"));
        agent.start();
        stopped.await();
        return 0;
    }

    private static AgentConfig hostDefaults(Map<String, String> options) throws Exception {
        String deviceId = options.get("--device-id");
        String id = deviceId != null && !deviceId.isBlank() ? deviceId : InetAddress.getLocalHost().getHostName();
        Duration sample = duration(options, "--sample-interval", Duration.ofSeconds(5));
        Duration batch = duration(options, "--batch-interval", Duration.ofSeconds(10));
        Path root = Path.of("/");
        String password = options.containsKey("--password-file")
                ? SecretFile.read(Path.of(options.get("--password-file")), "--password-file") : "";
        BrokerConnection mqtt = new BrokerConnection(options.getOrDefault("--mqtt-uri", "tcp://localhost:1883"), id,
                password, null, null, null, Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(60), 16, 20);
        return new AgentConfig(id, mqtt, 500, batch, Path.of(options.getOrDefault("--state-dir", "agent-state")),
                OutboxSettings.defaults(), Sensors.hostDefaults(root, sample), root);
    }

    private static Duration duration(Map<String, String> options, String option, Duration fallback) {
        String v = options.get(option);
        if (v == null) {
            return fallback;
        }
        try {
            return Values.positiveDuration(v, option);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(option, "'" + v + "' is not a positive duration (e.g. 5s, PT5S)");
        }
    }
}
