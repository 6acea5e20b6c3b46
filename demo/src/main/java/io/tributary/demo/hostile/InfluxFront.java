package io.tributary.demo.hostile;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A front of InfluxDB that the processor writes through: it passes every request on (chunked bodies and kept-alive
 * connections included, as a real proxy does), and, while {@link #refuseWrites(boolean) switched}, answers every write
 * with {@code 400 {"code":"invalid","message":"EOF"}} — what influxd said behind a proxy that mangled request bodies.
 * A rejection that hits every record, records the processor's own contract holds valid: an outage, not poison.
 */
public final class InfluxFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InfluxFront.class);
    private static final Set<String> HOP_HEADERS = Set.of("host", "content-length", "connection", "transfer-encoding",
            "expect", "upgrade", "keep-alive", "date");
    static final String REFUSAL_BODY = "{\"code\":\"invalid\",\"message\":\"EOF\"}";

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI target;
    private volatile boolean refusing;
    private final AtomicLong refusedWrites = new AtomicLong();

    private InfluxFront(HttpServer server, ExecutorService executor, URI target) {
        this.server = server;
        this.executor = executor;
        this.target = target;
    }

    /** A front on a free loopback port passing requests on to {@code target} (e.g. {@code http://127.0.0.1:8086}). */
    public static InfluxFront start(String target) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        ExecutorService executor = Executors.newFixedThreadPool(8, runnable -> {
            Thread thread = new Thread(runnable, "influx-front");
            thread.setDaemon(true);
            return thread;
        });
        InfluxFront front = new InfluxFront(server, executor, URI.create(target.endsWith("/")
                ? target.substring(0, target.length() - 1) : target));
        server.createContext("/", front::handle);
        server.setExecutor(executor);
        server.start();
        return front;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on, answers every write with 400 (true) or passes writes on again (false). */
    public void refuseWrites(boolean refuse) {
        refusing = refuse;
        LOG.info("InfluxDB front {} writes", refuse ? "refuses" : "passes on");
    }

    public long refusedWrites() {
        return refusedWrites.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            byte[] requestBody = body.readAllBytes();
            String path = exchange.getRequestURI().getRawPath();
            boolean write = path.endsWith("/write");
            if (write && refusing) {
                refusedWrites.incrementAndGet();
                byte[] answer = REFUSAL_BODY.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(400, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + path
                    + (query == null ? "" : "?" + query))).timeout(Duration.ofSeconds(30))
                    .method(exchange.getRequestMethod(), requestBody.length == 0
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(requestBody));
            for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
                if (!HOP_HEADERS.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    header.getValue().forEach(value -> forward.header(header.getKey(), value));
                }
            }
            HttpResponse<byte[]> response;
            try {
                response = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
                    values.forEach(value -> exchange.getResponseHeaders().add(name, value));
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
