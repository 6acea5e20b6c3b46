package io.tributary.processor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import picocli.CommandLine;

/** The answers of {@code devices health} besides a stored point (that one: AnalyticsIT, against a real InfluxDB). */
class DeviceHealthMainTest {

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final List<String> queries = new CopyOnWriteArrayList<>();
    HttpServer influx;

    @AfterEach
    void stop() {
        if (influx != null) {
            influx.stop(0);
        }
    }

    @Test
    void shouldSayInfluxCannotBeReadWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }

        int exit = run("dev-1", "--influx-url", "http://127.0.0.1:" + port, "--influx-bucket", "db1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("tributary devices health: cannot read InfluxDB at http://127.0.0.1:"
                + port + " (database db1)");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldSayTheDeviceHasNoHealthYetAndQuoteItsIdInTheQuery() throws Exception {
        startInflux("{\"results\":[{\"statement_id\":0}]}");

        int exit = run("it's", "--influx-url", "http://127.0.0.1:" + influx.getAddress().getPort());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("no health of device 'it's'").contains("(database telemetry)");
        assertThat(queries).singleElement().asString()
                .contains("FROM device_health WHERE \"device\" = 'it\\'s' ORDER BY time DESC LIMIT 1");
    }

    @Test
    void shouldRefuseAMissingId() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'ID'");
    }

    int run(String... args) {
        CommandLine cli = DeviceHealthMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    void startInflux(String json) throws Exception {
        influx = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        influx.createContext("/query", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            queries.add(java.net.URLDecoder.decode(ex.getRequestURI().getRawQuery() + "&" + body,
                    StandardCharsets.UTF_8));
            byte[] answer = json.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        influx.start();
    }
}
