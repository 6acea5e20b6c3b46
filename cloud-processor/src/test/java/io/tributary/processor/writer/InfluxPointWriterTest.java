package io.tributary.processor.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.tributary.proto.v1.Reading;

/** The real influxdb-client-java against a tiny local HTTP server: what goes over the wire, and how errors surface. */
class InfluxPointWriterTest {

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private volatile int status = 204;
    private volatile String errorBody = "";

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " auth="
                + exchange.getRequestHeaders().getFirst("Authorization"));
        InputStream in = exchange.getRequestBody();
        if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new GZIPInputStream(in);
        }
        bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        byte[] body = errorBody.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, status == 204 ? -1 : body.length);
        if (status != 204) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void shouldPostLineProtocolWithNanosecondPrecisionToTheV2WriteApi() {
        try (InfluxPointWriter writer = new InfluxPointWriter(url(), "secret", "acme", "telemetry",
                Duration.ofSeconds(5))) {
            writer.write(List.of(point("dev 1", "cpu,temp", 21.5, 1_700_000_000_123_456_789L),
                    point("dev 1", "hum", 40, 1_700_000_000_123_456_790L)));
        }

        assertThat(requests).singleElement().asString()
                .startsWith("POST /api/v2/write?")
                .contains("org=acme").contains("bucket=telemetry").contains("precision=ns")
                .endsWith("auth=Token secret");
        assertThat(bodies).singleElement().isEqualTo(
                "readings,device=dev\\ 1,sensor=cpu\\,temp value=21.5 1700000000123456789\n"
                        + "readings,device=dev\\ 1,sensor=hum value=40.0 1700000000123456790");
    }

    @Test
    void shouldSendNothingForNoPointsAndOneGzippedRequestForALargeBatch() {
        List<LinePoint> points = new java.util.ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            points.add(point("dev-" + i % 7, "s" + i % 3, i * 0.5, 1_700_000_000_000_000_000L + i));
        }
        try (InfluxPointWriter writer = new InfluxPointWriter(url(), "", "acme", "telemetry", Duration.ofSeconds(5),
                true)) {
            writer.write(List.of());
            assertThat(requests).isEmpty();
            writer.write(points);
            writer.write(points.subList(0, 2));
        }

        assertThat(requests).hasSize(2);
        String[] lines = bodies.get(0).split("\n", -1);
        assertThat(lines).hasSize(5_000);
        assertThat(lines[4_999]).isEqualTo(points.get(4_999).toLineProtocol());
        // The reused buffer holds only the second, smaller batch afterwards.
        assertThat(bodies.get(1)).isEqualTo(points.get(0) + "\n" + points.get(1));
    }

    @Test
    void shouldSendNoAuthorizationHeaderWithoutToken() {
        try (InfluxPointWriter writer = new InfluxPointWriter(url(), "", "acme", "telemetry", Duration.ofSeconds(5))) {
            writer.write(List.of(point("d", "s", 1, 1)));
        }

        assertThat(requests).singleElement().asString().endsWith("auth=null");
    }

    @Test
    void shouldSurfaceAFieldTypeConflictAsRejected() {
        status = 400;
        errorBody = "{\"error\":\"partial write: field type conflict: input field \\\"value\\\" on measurement "
                + "\\\"readings\\\" is type float, already exists as type string dropped=1\"}";
        try (InfluxPointWriter writer = new InfluxPointWriter(url(), "", "acme", "telemetry", Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> writer.write(List.of(point("d", "s", 1, 1))))
                    .satisfies(e -> {
                        assertThat(new WriteFailureClassifier().classify(e)).isEqualTo(WriteFailure.REJECTED);
                        assertThat(WriteFailureClassifier.describe(e)).startsWith("HTTP 400")
                                .contains("field type conflict");
                    });
        }
    }

    @Test
    void shouldSurfaceMissingBucketAsMisconfiguredAndOverloadAsTransient() {
        WriteFailureClassifier classifier = new WriteFailureClassifier();
        try (InfluxPointWriter writer = new InfluxPointWriter(url(), "", "acme", "telemetry", Duration.ofSeconds(5))) {
            status = 404;
            errorBody = "{\"error\":\"database not found: \\\"telemetry\\\"\"}";
            assertThatThrownBy(() -> writer.write(List.of(point("d", "s", 1, 1))))
                    .satisfies(e -> assertThat(classifier.classify(e)).isEqualTo(WriteFailure.MISCONFIGURED));
            status = 503;
            errorBody = "{\"error\":\"overloaded\"}";
            assertThatThrownBy(() -> writer.write(List.of(point("d", "s", 1, 1))))
                    .satisfies(e -> assertThat(classifier.classify(e)).isEqualTo(WriteFailure.TRANSIENT));
            status = 429;
            assertThatThrownBy(() -> writer.write(List.of(point("d", "s", 1, 1))))
                    .satisfies(e -> assertThat(classifier.classify(e)).isEqualTo(WriteFailure.TRANSIENT));
        }
    }

    @Test
    void shouldSurfaceARefusedConnectionAsTransient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (InfluxPointWriter writer = new InfluxPointWriter("http://127.0.0.1:" + closedPort, "", "acme",
                "telemetry", Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> writer.write(List.of(point("d", "s", 1, 1))))
                    .satisfies(e -> {
                        assertThat(new WriteFailureClassifier().classify(e)).isEqualTo(WriteFailure.TRANSIENT);
                        assertThat(WriteFailureClassifier.describe(e)).startsWith("I/O error");
                    });
        }
    }

    private static LinePoint point(String device, String sensor, double value, long nanos) {
        Reading reading = Reading.newBuilder().setSensor(sensor).setValue(value).setEventTimeUnixNanos(nanos).build();
        return ReadingPointMapper.toPoint(device, reading);
    }
}
