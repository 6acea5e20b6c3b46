package io.tributary.localstack.influx;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tributary.localstack.LocalStackException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server in front of influxd 1.6 that adds the InfluxDB v2 write API, so influxdb-client-java (and anything
 * else speaking {@code POST /api/v2/write}) can write to it:
 * <ul>
 *   <li>{@code POST /api/v2/write?org=O&bucket=B&precision=P} → influxd {@code POST /write?db=B&precision=p}
 *       ({@link PrecisionMapping}; a bucket {@code db/rp} becomes {@code db=db&rp=rp}); body and
 *       {@code Content-Encoding} kept, {@code Authorization} not forwarded; influxd errors answered in the v2 shape
 *       {@code {"code":"invalid","message":"..."}} with influxd's status ({@link V2Error}); success stays 204.</li>
 *   <li>every other path ({@code /query}, {@code /ping}, ...) is passed through unchanged: method, query string,
 *       headers and body, and influxd's response as is.</li>
 * </ul>
 */
public final class InfluxV2WriteEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxV2WriteEndpoint.class);

    static final String V2_WRITE_PATH = "/api/v2/write";

    /** Hop-by-hop headers and those {@link HttpClient} sets itself: never copied in either direction. */
    private static final Set<String> NOT_COPIED = Set.of("host", "content-length", "connection", "keep-alive",
            "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "expect", "date");

    /** Not forwarded on the write path: the token is influxd's business only with auth on, and we read the error body. */
    private static final Set<String> NOT_COPIED_ON_WRITE = Set.of("authorization", "accept-encoding");

    private static final Duration UPSTREAM_TIMEOUT = Duration.ofMinutes(5);

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient http;
    private final URI upstream;

    private InfluxV2WriteEndpoint(HttpServer server, ExecutorService executor, HttpClient http, URI upstream) {
        this.server = server;
        this.executor = executor;
        this.http = http;
        this.upstream = upstream;
    }

    /** Starts on a free loopback port in front of {@code influxdUrl} (e.g. {@code http://127.0.0.1:8086}). */
    public static InfluxV2WriteEndpoint start(String influxdUrl) {
        InetSocketAddress bindAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        URI upstream = URI.create(influxdUrl.endsWith("/") ? influxdUrl.substring(0, influxdUrl.length() - 1)
                : influxdUrl);
        HttpServer server;
        try {
            server = HttpServer.create(bindAddress, 128);
        } catch (IOException e) {
            throw new LocalStackException("could not bind the InfluxDB v2 write endpoint to " + bindAddress, e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(16, runnable -> {
            Thread thread = new Thread(runnable, "influx-v2-endpoint-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        InfluxV2WriteEndpoint endpoint = new InfluxV2WriteEndpoint(server, executor, http, upstream);
        server.createContext("/", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info("InfluxDB v2 write endpoint ready [url: {}, influxd: {}]", endpoint.url(), upstream);
        return endpoint;
    }

    /** Base URL, {@code http://127.0.0.1:PORT}. */
    public String url() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (V2_WRITE_PATH.equals(exchange.getRequestURI().getRawPath())) {
                handleWrite(exchange);
            } else {
                passThrough(exchange);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("InfluxDB v2 endpoint failed to answer [method: {}, uri: {}]", exchange.getRequestMethod(),
                    exchange.getRequestURI(), e);
            throw e;
        }
    }

    private void handleWrite(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            drain(exchange.getRequestBody());
            sendError(exchange, V2Error.of(405,
                    exchange.getRequestMethod() + " not allowed on " + V2_WRITE_PATH + ": use POST"));
            return;
        }
        String target;
        try {
            target = v1WritePathAndQuery(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            drain(exchange.getRequestBody());
            sendError(exchange, new V2Error(400, "invalid", e.getMessage()));
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(target))
                .POST(HttpRequest.BodyPublishers.ofByteArray(exchange.getRequestBody().readAllBytes()));
        copyRequestHeaders(exchange.getRequestHeaders(), request, NOT_COPIED_ON_WRITE);
        HttpResponse<byte[]> response = call(exchange, request, 503, "writing to");
        if (response == null) {
            return;
        }
        if (response.statusCode() >= 400) {
            V2Error error = V2Error.fromV1(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
            LOG.debug("influxd rejected a write [status: {}, message: {}]", error.status(), error.message());
            copyResponseHeaders(response, exchange.getResponseHeaders(), Set.of("content-type", "content-encoding"));
            sendError(exchange, error);
            return;
        }
        sendResponse(exchange, response);
    }

    /**
     * {@code /write?db=...&precision=...} for the raw query string of a v2 write.
     *
     * @throws IllegalArgumentException if the bucket is missing or the precision unknown
     */
    static String v1WritePathAndQuery(String rawQuery) {
        Map<String, String> params = parseQuery(rawQuery);
        String bucket = params.get("bucket");
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("bucket is required: POST " + V2_WRITE_PATH + "?org=...&bucket=...");
        }
        String precision = PrecisionMapping.toV1(params.get("precision"));
        String database = bucket;
        String retentionPolicy = null;
        int slash = bucket.indexOf('/');
        if (slash > 0) {
            database = bucket.substring(0, slash);
            retentionPolicy = bucket.substring(slash + 1);
        }
        StringBuilder target = new StringBuilder("/write?db=").append(encode(database));
        if (retentionPolicy != null && !retentionPolicy.isEmpty()) {
            target.append("&rp=").append(encode(retentionPolicy));
        }
        return target.append("&precision=").append(precision).toString();
    }

    private void passThrough(HttpExchange exchange) throws IOException {
        URI requestUri = exchange.getRequestURI();
        String target = requestUri.getRawPath() + (requestUri.getRawQuery() == null ? "" : "?" + requestUri.getRawQuery());
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.BodyPublisher publisher = body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(target))
                .method(exchange.getRequestMethod(), publisher);
        copyRequestHeaders(exchange.getRequestHeaders(), request, Set.of());
        HttpResponse<byte[]> response = call(exchange, request, 502, "calling");
        if (response != null) {
            sendResponse(exchange, response);
        }
    }

    /** influxd's answer, or null once the client got {@code unreachableStatus} because influxd could not be reached. */
    private HttpResponse<byte[]> call(HttpExchange exchange, HttpRequest.Builder request, int unreachableStatus,
            String doing) throws IOException {
        try {
            return http.send(request.timeout(UPSTREAM_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            sendError(exchange, V2Error.of(unreachableStatus, "influxd unreachable at " + upstream + ": " + e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sendError(exchange, V2Error.of(503, "interrupted while " + doing + " influxd"));
        }
        return null;
    }

    private static void copyRequestHeaders(Headers from, HttpRequest.Builder to, Set<String> alsoSkip) {
        for (Map.Entry<String, List<String>> header : from.entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (NOT_COPIED.contains(name) || alsoSkip.contains(name)) {
                continue;
            }
            for (String value : header.getValue()) {
                try {
                    to.header(header.getKey(), value);
                } catch (IllegalArgumentException e) {
                    LOG.debug("Header not forwardable by HttpClient [name: {}]", header.getKey());
                }
            }
        }
    }

    private static void copyResponseHeaders(HttpResponse<?> from, Headers to, Set<String> alsoSkip) {
        for (Map.Entry<String, List<String>> header : from.headers().map().entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith(":") || NOT_COPIED.contains(name) || alsoSkip.contains(name)) {
                continue;
            }
            to.put(header.getKey(), header.getValue());
        }
    }

    private static void sendResponse(HttpExchange exchange, HttpResponse<byte[]> response) throws IOException {
        copyResponseHeaders(response, exchange.getResponseHeaders(), Set.of());
        byte[] body = response.body();
        int status = response.statusCode();
        boolean noBody = body.length == 0 || "HEAD".equals(exchange.getRequestMethod()) || status == 204
                || status == 304;
        exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
        if (!noBody) {
            exchange.getResponseBody().write(body);
        }
    }

    private static void sendError(HttpExchange exchange, V2Error error) throws IOException {
        byte[] body = error.toJson().getBytes(StandardCharsets.UTF_8);
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/json; charset=utf-8");
        headers.set("X-Platform-Error-Code", error.code());
        exchange.sendResponseHeaders(error.status(), body.length);
        exchange.getResponseBody().write(body);
    }

    private static void drain(InputStream in) throws IOException {
        in.transferTo(java.io.OutputStream.nullOutputStream());
    }

    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value);
        }
        return params;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
