package io.tributary.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's operations endpoint: {@code /metrics} (Prometheus text), {@code /health/live} and
 * {@code /health/ready} (200, or 503 with the reason; then warnings, if any, on further lines). Runs on the gateway's
 * Vert.x; the suppliers it calls must not block.
 */
public record OperationsServer(Vertx vertx, Supplier<String> scrape, Supplier<Optional<String>> notReadyBecause,
        Supplier<Optional<String>> warnings) {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsServer.class);

    /** The {@code Content-Type} of the Prometheus text exposition (version 0.0.4). */
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * @param scrape the Prometheus text of every metric
     * @param notReadyBecause empty when ready, else why not
     * @param warnings what is degraded while still ready (e.g. a Kafka broker down), if anything
     */
    public OperationsServer {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(scrape, "scrape");
        Objects.requireNonNull(notReadyBecause, "notReadyBecause");
        Objects.requireNonNull(warnings, "warnings");
    }

    /**
     * Listens on {@code host:port} (0 = any free port) until Vert.x closes.
     *
     * @return the bound port; failed when the port cannot be bound
     */
    public Future<Integer> start(String host, int port) {
        // HTTP/1.1 only: scrapers and probes need no more, and a client's h2c upgrade (Java's HttpClient asks for one by
        // default) once left a /metrics request unanswered.
        return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .requestHandler(this::handle).listen(port, host).map(HttpServer::actualPort);
    }

    private void handle(HttpServerRequest request) {
        try {
            answer(request);
        } catch (RuntimeException e) {
            // A request must never go unanswered, even when a meter or a health check fails.
            LOG.error("{} failed", request.path(), e);
            request.response().setStatusCode(500).putHeader("Content-Type", "text/plain")
                    .end("internal error: " + e + "\n");
        }
    }

    private void answer(HttpServerRequest request) {
        switch (request.path()) {
            case "/metrics" -> request.response().putHeader("Content-Type", METRICS_CONTENT_TYPE).end(scrape.get());
            case "/health/live" -> request.response().putHeader("Content-Type", "text/plain").end("live\n");
            case "/health/ready" -> {
                Optional<String> problem = notReadyBecause.get();
                request.response().setStatusCode(problem.isEmpty() ? 200 : 503).putHeader("Content-Type", "text/plain")
                        .end(problem.map(p -> "not ready: " + p + "\n").orElse("ready\n")
                                + warnings.get().map(w -> "warning: " + w + "\n").orElse(""));
            }
            default -> request.response().setStatusCode(404).end();
        }
    }
}
