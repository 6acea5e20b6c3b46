package io.tributary.processor.ops;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The operations endpoint on the JDK's HTTP server: {@code GET /metrics} (Prometheus text format 0.0.4),
 * {@code /health/live} and {@code /health/ready} (200, or 503 with a one-line reason; then warnings, if any, on
 * further lines).
 */
public final class OpsHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpsHttpServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param metrics renders the metrics page
     * @param live whether the process works (not failed)
     * @param ready whether it is ready for traffic; {@code readyDetail} says why not
     * @param warnings what is degraded while still ready (e.g. a Kafka broker down), if anything
     */
    public OpsHttpServer(String host, int port, Supplier<String> metrics, BooleanSupplier live, BooleanSupplier ready,
            Supplier<String> readyDetail, Supplier<Optional<String>> warnings) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tributary-ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.get()));
        server.createContext("/health/live", ex -> {
            boolean ok = live.getAsBoolean();
            respond(ex, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "live\n" : "failed\n");
        });
        server.createContext("/health/ready", ex -> {
            boolean ok = ready.getAsBoolean();
            respond(ex, ok ? 200 : 503, "text/plain; charset=utf-8", (ok ? "ready" : readyDetail.get()) + "\n"
                    + warnings.get().map(w -> "warning: " + w + "\n").orElse(""));
        });
        server.start();
        log.info("Operations endpoint listening [address: http://{}:{}/, paths: /metrics /health/live /health/ready]",
                host, port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (RuntimeException e) {
            log.warn("Operations endpoint request failed", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
