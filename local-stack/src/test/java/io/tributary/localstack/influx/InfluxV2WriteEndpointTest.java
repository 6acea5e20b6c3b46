package io.tributary.localstack.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoint against a stub influxd that records what it receives (the real influxd is in LocalStackIT). */
class InfluxV2WriteEndpointTest {

    record Received(String method, URI uri, Headers headers, byte[] body) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private HttpServer upstream;
    private InfluxV2WriteEndpoint endpoint;
    private volatile int upstreamStatus = 204;
    private volatile String upstreamBody = "";

    @BeforeEach
    void startStubAndEndpoint() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI(),
                    exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes()));
            byte[] body = upstreamBody.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Influxdb-Version", "1.6.7~rc0");
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(upstreamStatus, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        upstream.start();
        endpoint = InfluxV2WriteEndpoint.start("http://127.0.0.1:" + upstream.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        endpoint.close();
        upstream.stop(0);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(endpoint.url() + pathAndQuery));
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void shouldMapAV2WriteToInfluxdsWriteKeepingGzipAndDroppingTheToken() throws Exception {
        byte[] body = gzip("readings,device=d1,sensor=t value=1.5 1700000000123456\n");

        HttpResponse<String> response = send(request("/api/v2/write?org=tributary&bucket=telemetry&precision=us")
                .header("Authorization", "Token secret")
                .header("Content-Encoding", "gzip")
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(received).hasSize(1);
        Received write = received.get(0);
        assertThat(write.method()).isEqualTo("POST");
        assertThat(write.uri().toString()).isEqualTo("/write?db=telemetry&precision=u");
        assertThat(write.body()).isEqualTo(body);
        assertThat(write.headers().getFirst("Content-Encoding")).isEqualTo("gzip");
        assertThat(write.headers().getFirst("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(write.headers().containsKey("Authorization")).isFalse();
    }

    @Test
    void shouldDefaultToNanosecondsAndSplitDatabaseAndRetentionPolicy() throws Exception {
        send(request("/api/v2/write?bucket=db%201/autogen").POST(HttpRequest.BodyPublishers.ofString("m v=1 1")));

        assertThat(received.get(0).uri().getRawQuery()).isEqualTo("db=db%201&rp=autogen&precision=n");
    }

    @Test
    void shouldTranslateInfluxdErrorsToTheV2ShapeWithTheSameStatus() throws Exception {
        upstreamStatus = 400;
        upstreamBody = "{\"error\":\"partial write: field type conflict: input field \\\"value\\\" on measurement "
                + "\\\"m\\\" is type string, already exists as type float dropped=1\"}";

        HttpResponse<String> response = send(request("/api/v2/write?bucket=telemetry&precision=ns")
                .POST(HttpRequest.BodyPublishers.ofString("m value=\"x\" 1")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).isEqualTo("{\"code\":\"invalid\",\"message\":\"partial write: field type "
                + "conflict: input field \\\"value\\\" on measurement \\\"m\\\" is type string, already exists as "
                + "type float dropped=1\"}");
    }

    @Test
    void shouldTranslateAMissingDatabaseToNotFound() throws Exception {
        upstreamStatus = 404;
        upstreamBody = "{\"error\":\"database not found: \\\"nope\\\"\"}";

        HttpResponse<String> response = send(request("/api/v2/write?bucket=nope")
                .POST(HttpRequest.BodyPublishers.ofString("m v=1 1")));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"code\":\"not found\",\"message\":\"database not found: \\\"nope\\\"\"}");
    }

    @Test
    void shouldRejectAnUnknownPrecisionWithoutCallingInfluxd() throws Exception {
        HttpResponse<String> response = send(request("/api/v2/write?bucket=telemetry&precision=h")
                .POST(HttpRequest.BodyPublishers.ofString("m v=1 1")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).startsWith("{\"code\":\"invalid\",\"message\":\"invalid precision \\\"h\\\"");
        assertThat(received).isEmpty();
    }

    @Test
    void shouldRejectAWriteWithoutBucket() throws Exception {
        HttpResponse<String> response = send(request("/api/v2/write?org=tributary")
                .POST(HttpRequest.BodyPublishers.ofString("m v=1 1")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"code\":\"invalid\"").contains("bucket is required");
        assertThat(received).isEmpty();
    }

    @Test
    void shouldRejectOtherMethodsOnTheWritePath() throws Exception {
        HttpResponse<String> response = send(request("/api/v2/write?bucket=telemetry").GET());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.body()).contains("\"code\":\"method not allowed\"");
        assertThat(received).isEmpty();
    }

    @Test
    void shouldPassEveryOtherPathThroughUnchanged() throws Exception {
        upstreamStatus = 400;
        upstreamBody = "{\"error\":\"error parsing query\"}";

        HttpResponse<String> response = send(request("/query?db=telemetry&epoch=ns")
                .header("Authorization", "Token secret")
                .header("Accept", "application/csv")
                .header("X-Custom", "kept")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("q=SELECT+*+FROM+%22m%22")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"error parsing query\"}");
        assertThat(response.headers().firstValue("X-Influxdb-Version")).contains("1.6.7~rc0");
        Received query = received.get(0);
        assertThat(query.method()).isEqualTo("POST");
        assertThat(query.uri().toString()).isEqualTo("/query?db=telemetry&epoch=ns");
        assertThat(new String(query.body(), StandardCharsets.UTF_8)).isEqualTo("q=SELECT+*+FROM+%22m%22");
        assertThat(query.headers().getFirst("Authorization")).isEqualTo("Token secret");
        assertThat(query.headers().getFirst("Accept")).isEqualTo("application/csv");
        assertThat(query.headers().getFirst("X-Custom")).isEqualTo("kept");
    }

    @Test
    void shouldPassPingThroughWithItsNoContentStatus() throws Exception {
        HttpResponse<String> response = send(request("/ping").GET());

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(received.get(0).method()).isEqualTo("GET");
        assertThat(received.get(0).uri().toString()).isEqualTo("/ping");
    }

    @Test
    void shouldAnswerUnavailableWhenInfluxdIsDown() throws Exception {
        upstream.stop(0);

        HttpResponse<String> response = send(request("/api/v2/write?bucket=telemetry")
                .POST(HttpRequest.BodyPublishers.ofString("m v=1 1")));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("\"code\":\"unavailable\"").contains("influxd unreachable");
    }

    @Test
    void shouldStopAnsweringWhenClosed() {
        endpoint.close();

        assertThatThrownBy(() -> send(request("/ping").GET())).isInstanceOf(IOException.class);
    }
}
