package io.tributary.demo.bench;

import io.tributary.common.KafkaClientConfig;
import io.tributary.demo.ConsumerLag;
import io.tributary.demo.DemoRules;
import io.tributary.demo.measure.PrometheusText;
import io.tributary.demo.process.LocalHttp;
import io.tributary.demo.process.ServiceProcess;
import io.tributary.contract.Topics;
import io.tributary.localstack.LocalStack;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.localstack.kafka.KafkaCluster;
import io.tributary.localstack.support.FreePorts;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.Supplier;

/**
 * The benchmark's processes: the local stack (Kafka in its JVM plus the v2-write endpoint, or with
 * {@link BenchOptions#brokers()} &gt; 1 or {@link BenchOptions#secure()} broker processes under it; {@code influxd} is
 * its child), the gateway (authenticating every device against its registry, as in production) and the processor with
 * the demo's alert rules, each its own JVM from its built jar, plus a simulator per phase. Every one is registered
 * with the CPU account; closing stops them, the newest first.
 */
final class BenchPipeline implements BenchStack, AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final List<String> SERVICE_JVM_OPTIONS = List.of("-Xmx1g");
    /** Kafka roles of a secured stack (see {@code ./tributary stack --secure}); the bench's own clients are admin. */
    static final String GATEWAY = "gateway";
    static final String PROCESSOR = "processor";
    static final String OPERATOR = "operator";
    static final String ADMIN = "admin";
    private static final Pattern BROKER_NODE = Pattern.compile("node-(\\d+)\\.properties$");

    private final BenchOptions options;
    private final Path logs;
    private final CpuAccount cpu;
    /** Kafka as broker processes of this JVM, so that one can be killed. */
    private final boolean killable;
    private final List<ServiceProcess> children = new CopyOnWriteArrayList<>();
    /** The stack in this JVM when Kafka is several broker processes (so one can be killed); null otherwise. */
    private LocalStack ownStack;
    private Map<String, String> stackEnv = Map.of();
    private int mqttPort;
    private URI gatewayBase;
    private URI processorBase;
    private final Map<String, Supplier<ServiceProcess>> launchers = new HashMap<>();
    private final Map<String, ServiceProcess> services = new HashMap<>();
    private long influxdPid = -1;
    private final LocalHttp http = new LocalHttp(Duration.ofSeconds(2));
    /** The readings writer's lag, as the bench's own (admin) client reads it. */
    private ConsumerLag lag;

    BenchPipeline(BenchOptions options, Path logs, CpuAccount cpu, boolean killable) {
        this.options = options;
        this.logs = logs;
        this.cpu = cpu;
        this.killable = killable;
    }

    /** Starts the stack, the gateway and the processor; returns once both services answer ready. */
    void start(PrintStream out) throws InterruptedException {
        if (killable) {
            startOwnStack(out);
        } else {
            startStackProcess(out);
        }
        startServices(out);
        lag = new ConsumerLag(kafka(ADMIN));
    }

    /** Kafka as broker processes of this JVM (a restarted broker's CPU is not counted), influxd its child. */
    private void startOwnStack(PrintStream out) {
        out.println("Starting the local stack (" + options.brokers() + " Kafka broker processes, influxd) ...");
        ownStack = LocalStack.start(LocalStackOptions.defaults().withKafkaBrokers(options.brokers())
                .withKafkaSecure(options.secure()));
        ownStack.createTopics(options.partitions(), Topics.defaults().ingest().toArray(String[]::new));
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP", ownStack.kafkaBootstrapServers(),
                "INFLUX_URL", ownStack.influxUrl(), "INFLUX_DIRECT_URL", ownStack.influxDirectUrl(),
                "INFLUX_TOKEN", ownStack.influxToken(), "INFLUX_ORG", ownStack.influxOrg(),
                "INFLUX_BUCKET", ownStack.influxBucket()));
        if (options.secure()) {
            ownStack.secureKafka(Topics.defaults(), options.partitions()).forEach((role, file) -> env.put(
                    roleVariable(role), file.toString()));
        }
        stackEnv = Map.copyOf(env);
        KafkaCluster cluster = ownStack.kafkaCluster().orElseThrow();
        cluster.nodeIds().forEach(id -> cluster.process(id).ifPresent(p -> cpu.register("kafka broker " + id,
                p.pid())));
        ownStack.influxdProcess().ifPresent(influxd -> {
            cpu.register("influxd", influxd.pid());
            influxdPid = influxd.pid();
        });
    }

    private void startStackProcess(PrintStream out) throws InterruptedException {
        boolean brokerProcesses = options.brokers() > 1 || options.secure();
        out.println("Starting the local stack (" + (brokerProcesses ? options.brokers() + " Kafka broker processes"
                : "Kafka") + (options.secure() ? ", secured" : "") + ", influxd) ...");
        List<String> args = new ArrayList<>(List.of("--partitions", Integer.toString(options.partitions()),
                "--brokers", Integer.toString(options.brokers())));
        if (options.secure()) {
            args.add("--secure");
        }
        ServiceProcess stack = started(ServiceProcess.start("stack", options.jar("local-stack",
                "tributary-local-stack.jar"), List.of(), args, logs));
        stackEnv = awaitStack(stack);
        cpu.register(brokerProcesses ? "stack JVM (v2-write endpoint)" : "kafka (stack JVM)", stack.pid());
        // influxd and the brokers run under the stack's child guardians: grandchildren, not children.
        ProcessHandle.of(stack.pid()).ifPresent(handle -> handle.descendants().forEach(child -> {
            if (child.info().command().map(c -> c.endsWith("influxd")).orElse(false)) {
                cpu.register("influxd", child.pid());
                influxdPid = child.pid();
            }
            boolean java = child.info().command().map(c -> c.endsWith("/java")).orElse(false);
            child.info().arguments().filter(a -> java && a.length > 1).map(a -> BROKER_NODE.matcher(a[a.length - 2]))
                    .filter(Matcher::find).ifPresent(node -> cpu.register("kafka broker " + node.group(1),
                            child.pid()));
        }));
    }

    private void startServices(PrintStream out) throws InterruptedException {
        List<Integer> ports = FreePorts.loopback(3);
        mqttPort = ports.get(0);
        gatewayBase = URI.create("http://127.0.0.1:" + ports.get(1));
        processorBase = URI.create("http://127.0.0.1:" + ports.get(2));
        Path rules = DemoRules.copyTo(options.out().resolve("alert-rules.yaml"));

        List<String> processorArgs = new ArrayList<>(List.of("--influx-url", influxUrl(),
                "--influx-token", stackEnv.get("INFLUX_TOKEN"), "--influx-org", stackEnv.get("INFLUX_ORG"),
                "--influx-bucket", influxBucket(), "--rules", rules.toString(),
                "--http-port", Integer.toString(ports.get(2)),
                // influxd and Kafka run on this machine: compression would cost CPU on both ends and save nothing
                "--set", "influx.gzip=false", "--set", "streams.compression=none"));
        options.processorSettings().forEach((key, value) -> processorArgs.addAll(List.of("--set", key + "=" + value)));

        out.println("Starting the gateway and the processor ...");
        launchers.put("gateway", () -> ServiceProcess.start("gateway", options.jar("gateway",
                "tributary-gateway.jar"), SERVICE_JVM_OPTIONS, withKafka(GATEWAY, "--mqtt-host", "127.0.0.1",
                        "--mqtt-port", Integer.toString(mqttPort), "--http-port", Integer.toString(ports.get(1))),
                logs));
        launchers.put("processor", () -> ServiceProcess.start("processor", options.jar("cloud-processor",
                "tributary-cloud-processor.jar"), SERVICE_JVM_OPTIONS, withKafka(PROCESSOR,
                processorArgs.toArray(String[]::new)), logs));
        launch("gateway");
        launch("processor");
        awaitReady("gateway");
        awaitReady("processor");
    }

    private void launch(String service) {
        ServiceProcess process = started(launchers.get(service).get());
        services.put(service, process);
        cpu.register(service, process.pid());
    }

    private void awaitReady(String service) throws InterruptedException {
        URI base = "gateway".equals(service) ? gatewayBase : processorBase;
        services.get(service).awaitReady(http, base.resolve("/health/ready"), START_TIMEOUT);
    }

    /** kill -9 of {@code service} (gateway, processor), then the same service again; returns once it is ready. */
    void killAndRestart(String service) throws InterruptedException {
        ProcessHandle.of(services.get(service).pid()).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().join();
        });
        launch(service);
        awaitReady(service);
    }

    /** The process id of {@code service} (gateway, processor, influxd). */
    long pid(String service) {
        return "influxd".equals(service) ? influxdPid : services.get(service).pid();
    }

    @Override
    public ServiceProcess startSimulator(String name, List<String> args) {
        ServiceProcess simulator = started(ServiceProcess.start(name, options.jar("device-simulator",
                "tributary-device-simulator.jar"), List.of(), args, logs));
        cpu.register("simulator", simulator.pid());
        return simulator;
    }

    @Override
    public List<String> fleetTarget() {
        return withKafka(OPERATOR, "--mqtt-uri", mqttUri(), "--provision");
    }

    /** The Kafka brokers' processes, when there are several. */
    Optional<KafkaCluster> kafkaCluster() {
        return ownStack == null ? Optional.empty() : ownStack.kafkaCluster();
    }

    /** The client properties file of {@code role}: the secured stack's, else {@code --kafka-config}'s (or none). */
    private Path kafkaConfig(String role) {
        String file = stackEnv.get(roleVariable(role));
        return file == null ? options.kafkaConfig() : Path.of(file);
    }

    private static String roleVariable(String role) {
        return "KAFKA_" + role.toUpperCase(Locale.ROOT) + "_CONFIG";
    }

    /** The Kafka that {@code role} uses: its properties file's, else the local stack's. */
    KafkaClientConfig kafka(String role) {
        Path file = kafkaConfig(role);
        return file == null ? new KafkaClientConfig(stackEnv.get("KAFKA_BOOTSTRAP"), Map.of())
                : KafkaClientConfig.resolve(file, System.getenv(), Map.of(), null);
    }

    /** {@code args} after the options that point a process at {@code role}'s Kafka (the file, never its secrets). */
    List<String> withKafka(String role, String... args) {
        List<String> all = new ArrayList<>(List.of("--kafka-bootstrap", kafka(role).bootstrap()));
        if (kafkaConfig(role) != null) {
            all.addAll(List.of("--kafka-config", kafkaConfig(role).toString()));
        }
        all.addAll(List.of(args));
        return all;
    }

    String mqttUri() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    /** The gateway's and the processor's {@code /metrics} and the readings writer's Kafka lag from the broker. */
    @Override
    public Sample sample(double t, String phase, Map<String, Double> cpuSeconds) throws InterruptedException {
        PrometheusText gateway = PrometheusText.parse(http.get(gatewayBase.resolve("/metrics")));
        PrometheusText processor = PrometheusText.parse(http.get(processorBase.resolve("/metrics")));
        double writerLag;
        try {
            writerLag = lag.lag(ProcessorConfig.DEFAULT_CONSUMER_GROUP, Topics.defaults().telemetry());
        } catch (IllegalStateException e) {
            writerLag = Double.NaN;
        }
        return new Sample(t, phase,
                gateway.sum("tributary_gateway_readings_in_total"),
                gateway.value("tributary_gateway_messages_in_total{kind=\"telemetry\"}"),
                processor.value("tributary_processor_points_written_total{writer=\"readings\"}"),
                processor.sum("tributary_processor_readings_processed_total"),
                writerLag,
                processor.value("tributary_processor_consumer_lag_records{consumer=\"streams\"}"),
                cpuSeconds);
    }

    /** The v2-write endpoint in front of influxd. */
    String influxUrl() {
        return stackEnv.get("INFLUX_URL");
    }

    /** influxd itself, for InfluxQL. */
    String influxDirectUrl() {
        return stackEnv.get("INFLUX_DIRECT_URL");
    }

    String influxBucket() {
        return stackEnv.get("INFLUX_BUCKET");
    }

    @Override
    public List<String> influxOptions() {
        return List.of("--influx-url", influxUrl(), "--influx-token", stackEnv.get("INFLUX_TOKEN"),
                "--influx-org", stackEnv.get("INFLUX_ORG"), "--influx-bucket", influxBucket());
    }

    private ServiceProcess started(ServiceProcess child) {
        children.add(child);
        return child;
    }

    /** Waits for the stack's {@code KEY=value} lines up to {@code READY}. */
    private static Map<String, String> awaitStack(ServiceProcess stack) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = stack.stdoutText();
            if (text.lines().anyMatch("READY"::equals)) {
                Map<String, String> env = new HashMap<>();
                text.lines().filter(l -> l.contains("=")).forEach(l -> {
                    int eq = l.indexOf('=');
                    env.put(l.substring(0, eq), l.substring(eq + 1));
                });
                return env;
            }
            if (!stack.isAlive()) {
                throw new IllegalStateException("the local stack exited at start: " + stack.stderrTail());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the local stack was not ready within " + START_TIMEOUT);
    }

    /** Stops every child still running, the newest first (simulator, processor, gateway, then the stack). */
    @Override
    public void close() {
        if (lag != null) {
            lag.close();
        }
        List<ServiceProcess> reversed = new ArrayList<>(children);
        Collections.reverse(reversed);
        reversed.forEach(ServiceProcess::close);
        if (ownStack != null) {
            ownStack.close();
        }
    }
}
