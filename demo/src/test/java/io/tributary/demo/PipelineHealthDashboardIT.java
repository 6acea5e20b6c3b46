package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.simulator.config.SimulatorConfig;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.transport.PahoDeviceLink;
import io.tributary.simulator.transport.VertxMqttTransport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every PromQL query of the Pipeline health dashboard runs against a real Prometheus (Debian's {@code prometheus})
 * scraping a running gateway and processor, and returns data: a panel naming a metric or label that the services do
 * not export fails the build.
 */
class PipelineHealthDashboardIT {

    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "dashboards", "pipeline-health.json");
    private static final String PROMETHEUS = "/usr/bin/prometheus";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyPanelQueryReturnsDataFromARealPrometheus() throws Exception {
        assertThat(Path.of(PROMETHEUS)).as("Debian's prometheus (./tributary test installs it)").isExecutable();
        List<String> queries = promQlQueries();
        assertThat(queries).hasSizeGreaterThan(8);
        try (Pipeline pipeline = Pipeline.start(PipelineOptions.defaults())) {
            int prometheusPort = freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global: {scrape_interval: 1s}
                    scrape_configs:
                      - job_name: gateway
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                      - job_name: processor
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                    """.formatted(pipeline.gateway().httpPort(), pipeline.processor().httpPort().orElseThrow()));
            Process prometheus = new ProcessBuilder(PROMETHEUS, "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            try {
                runTraffic(pipeline);
                String base = "http://127.0.0.1:" + prometheusPort;
                awaitQuery(base, "count(up == 1) == 2", "both services scraped");
                // rate() needs samples spread over its window: let a few more scrapes in
                Thread.sleep(4_000);

                List<String> failures = new ArrayList<>();
                for (String query : queries) {
                    JsonObject answer = query(base, query);
                    if (!"success".equals(answer.getString("status"))) {
                        failures.add(query + ": " + answer.encode());
                    } else if (answer.getJsonObject("data").getJsonArray("result").isEmpty()) {
                        failures.add(query + ": no data");
                    }
                }
                assertThat(failures).as("Pipeline health queries without data").isEmpty();
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    /** A few devices publishing, and one sending garbage, so rates and rejections have something to count. */
    private static void runTraffic(Pipeline pipeline) throws Exception {
        SimulatorConfig config = new SimulatorConfig(pipeline.mqttServerUri(), 5, "health", 3, Duration.ofMillis(500),
                5, 10, Duration.ofSeconds(30));
        List<String> ids = new ArrayList<>(config.deviceIds());
        String bad = config.devicePrefix() + "bad";
        ids.add(bad);
        Map<String, byte[]> secrets = pipeline.provision(ids);
        Fleet fleet = new Fleet(config, new VertxMqttTransport(config.mqttServerUri(), secrets::get));
        fleet.start();
        try (PahoDeviceLink garbage = new PahoDeviceLink(pipeline.mqttServerUri(), bad, secrets.get(bad))) {
            garbage.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
            garbage.publish("devices/" + bad + "/telemetry", new byte[] {1, 2, 3})
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        Thread.sleep(3_000);
        assertThat(fleet.stop(Duration.ofSeconds(30))).isTrue();
    }

    private void awaitQuery(String base, String query, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (!query(base, query).getJsonObject("data").getJsonArray("result").isEmpty()) {
                    return;
                }
            } catch (IOException e) {
                // Prometheus still starting
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what + " (see " + dir.resolve("prometheus.log") + ")");
            }
            Thread.sleep(250);
        }
    }

    private JsonObject query(String base, String promQl) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                + URLEncoder.encode(promQl, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body());
    }

    private static List<String> promQlQueries() throws IOException {
        List<String> queries = new ArrayList<>();
        JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        for (Object panel : dashboard.getJsonArray("panels")) {
            JsonArray targets = ((JsonObject) panel).getJsonArray("targets", new JsonArray());
            for (Object target : targets) {
                String expr = ((JsonObject) target).getString("expr");
                if (expr != null) {
                    queries.add(expr);
                }
            }
        }
        return queries;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
