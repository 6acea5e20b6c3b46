package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.domain.InfluxQLQuery;
import com.influxdb.query.InfluxQLQueryResult;
import io.tributary.contract.Topics;
import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.simulator.config.SimulatorConfig;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.fleet.FleetPlan;
import io.tributary.simulator.scenario.Anomaly;
import io.tributary.simulator.scenario.Scenario;
import io.tributary.simulator.transport.VertxMqttTransport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Every InfluxQL query of every provisioned Grafana dashboard and alert rule, with its template variables filled in,
 * runs against the InfluxDB of a real end-to-end run and returns data: a panel that names a measurement, field or tag
 * the pipeline does not write fails the build. (Grafana itself cannot run here; the dashboards' types are checked by
 * tsc.)
 */
class DashboardQueriesIT {

    private static final Path DASHBOARDS = Path.of("..", "deploy", "grafana", "dashboards");
    private static final Path ALERT_RULES = Path.of("..", "deploy", "grafana", "provisioning", "alerting");

    private static Pipeline pipeline;
    private static SimulatorConfig fleetConfig;

    @TempDir
    static Path rulesDir;

    @BeforeAll
    static void runTheFleet() throws Exception {
        // A rule that every simulated temperature breaks, so the alert panels have transitions to show
        Path rules = rulesDir.resolve("rules.yaml");
        Files.writeString(rules, "rules:\n  - name: temperature_any\n    sensor: temperature\n    above: -100\n"
                + "    clear: -200\n    severity: info\n");
        pipeline = Pipeline.start(new PipelineOptions(null, null, 3, Topics.DEFAULT_PREFIX, rules,
                Duration.ofSeconds(1), null));
        fleetConfig = new SimulatorConfig(pipeline.mqttServerUri(), 5, "dash", 3, Duration.ofMillis(500), 5, 10,
                Duration.ofSeconds(30));
        Map<String, byte[]> secrets = pipeline.provision(fleetConfig.deviceIds());
        label(fleetConfig.deviceIds());
        // The first device skips two sequence numbers once, so the loss panels and rule have a gap to show
        FleetPlan plain = fleetConfig.toPlan();
        Scenario withGap = new Scenario(plain.scenario().name(), plain.scenario().seed(), plain.scenario().connectRate(),
                plain.scenario().profiles(), List.of(new Anomaly(Anomaly.Type.SEQ_GAP, null, 1, null,
                        Duration.ofSeconds(1), Duration.ofMinutes(1), 0, null, null, 2, 0)));
        Fleet fleet = new Fleet(new FleetPlan(plain.mqttServerUri(), plain.runId(), withGap,
                plain.maxInflightPerDevice(), plain.publishTimeout()),
                new VertxMqttTransport(fleetConfig.mqttServerUri(), secrets::get));
        fleet.start();
        Thread.sleep(4_000);
        assertThat(fleet.stop(Duration.ofSeconds(30))).isTrue();
        assertThat(pipeline.awaitProcessorCaughtUp(Duration.ofSeconds(60))).isTrue();
        // 10 s rollup windows close on the wall clock after their grace; alerts follow the first readings
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((pipeline.processor().meters().count("points.written", "writer", "rollups") == 0
                || pipeline.processor().meters().count("points.written", "writer", "alerts") == 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    /** Sites plant-1 and plant-2, kinds motor and pump: the fleet dashboard's variables (Pipeline tags by them). */
    private static void label(List<String> devices) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafkaBootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < devices.size(); i++) {
                Map<String, String> labels = Map.of("site", "plant-" + (i % 2 + 1), "kind", i < 3 ? "motor" : "pump");
                producer.send(new ProducerRecord<>(new Topics(Topics.DEFAULT_PREFIX).deviceMetadata(), devices.get(i),
                        new DeviceLabels(devices.get(i), labels, Instant.now()).toJson())).get();
            }
        }
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void everyDashboardQueryReturnsDataFromAnEndToEndRun() throws Exception {
        List<DashboardQuery> queries = dashboardQueries();
        assertThat(queries).as("queries found in %s", DASHBOARDS.toAbsolutePath()).hasSizeGreaterThan(5);
        assertThat(queries).as("alert rule queries found in %s", ALERT_RULES.toAbsolutePath())
                .anyMatch(query -> query.where().startsWith("alert rule"));
        // The writers store each partition's rollups and alerts in their own polls: the first one written says
        // nothing about the device the queries name, so ask again until every query has data or time is up.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> failures = queriesWithoutData(queries);
        while (!failures.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            failures = queriesWithoutData(queries);
        }
        assertThat(failures).as("dashboard queries without data").isEmpty();
    }

    private static List<String> queriesWithoutData(List<DashboardQuery> queries) {
        List<String> failures = new ArrayList<>();
        try (InfluxDBClient client = InfluxDBClientFactory.create(pipeline.influx().url(),
                pipeline.influx().token().toCharArray(), pipeline.influx().org(), pipeline.influx().bucket())) {
            for (DashboardQuery query : queries) {
                String influxQl = substitute(query.text());
                try {
                    InfluxQLQueryResult result = client.getInfluxQLQueryApi()
                            .queryJSON(new InfluxQLQuery(influxQl, pipeline.influx().bucket()));
                    if (!hasValues(result)) {
                        failures.add(query.where() + ": no data for " + influxQl);
                    }
                } catch (RuntimeException e) {
                    failures.add(query.where() + ": " + e.getMessage() + " for " + influxQl);
                }
            }
        }
        return failures;
    }

    /** Grafana's variables, as Grafana would fill them in for the run above. */
    private static String substitute(String query) {
        return query.replace("$timeFilter", "time > now() - 1h")
                .replace("$__interval", "10s")
                .replace("$device", fleetConfig.deviceId(0))
                .replace("$sensor", "temperature")
                .replace("$site", "plant-1") // device 0's labels
                .replace("$kind", "motor");
    }

    private static boolean hasValues(InfluxQLQueryResult result) {
        return result != null && result.getResults().stream()
                .flatMap(statement -> statement.getSeries().stream())
                .anyMatch(series -> !series.getValues().isEmpty());
    }

    private static List<DashboardQuery> dashboardQueries() throws IOException {
        List<DashboardQuery> queries = new ArrayList<>();
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonObject dashboard = new JsonObject(Files.readString(file));
                String name = file.getFileName().toString();
                for (JsonObject panel : objects(dashboard.getJsonArray("panels"))) {
                    for (JsonObject target : objects(panel.getJsonArray("targets"))) {
                        add(queries, name + " panel '" + panel.getString("title") + "'", target);
                    }
                }
                for (JsonObject variable : objects(dashboard.getJsonObject("templating", new JsonObject())
                        .getJsonArray("list"))) {
                    add(queries, name + " variable '" + variable.getString("name") + "'", variable);
                }
                for (JsonObject annotation : objects(dashboard.getJsonObject("annotations", new JsonObject())
                        .getJsonArray("list"))) {
                    JsonObject target = annotation.getJsonObject("target");
                    if (target != null) {
                        add(queries, name + " annotation '" + annotation.getString("name") + "'", target);
                    }
                }
            }
        }
        try (Stream<Path> files = Files.list(ALERT_RULES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                Map<String, Object> provisioning = new Yaml(new SafeConstructor(new LoaderOptions()))
                        .load(Files.readString(file));
                for (JsonObject group : objects(new JsonObject(provisioning).getJsonArray("groups"))) {
                    for (JsonObject rule : objects(group.getJsonArray("rules"))) {
                        for (JsonObject data : objects(rule.getJsonArray("data"))) {
                            if ("tributary-influxdb".equals(data.getString("datasourceUid"))) {
                                add(queries, "alert rule '" + rule.getString("title") + "'",
                                        data.getJsonObject("model"));
                            }
                        }
                    }
                }
            }
        }
        return queries;
    }

    private static void add(List<DashboardQuery> queries, String where, JsonObject holder) {
        Object datasource = holder.getValue("datasource");
        boolean influx = !(datasource instanceof JsonObject ds) || "influxdb".equals(ds.getString("type"));
        String query = holder.getString("query");
        if (influx && query != null) {
            queries.add(new DashboardQuery(where, query));
        }
    }

    private static List<JsonObject> objects(JsonArray array) {
        if (array == null) {
            return List.of();
        }
        return array.stream().filter(JsonObject.class::isInstance).map(JsonObject.class::cast).toList();
    }

    private record DashboardQuery(String where, String text) {
    }
}
