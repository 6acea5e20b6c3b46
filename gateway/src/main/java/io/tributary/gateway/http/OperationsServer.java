package io.tributary.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * The gateway's operations endpoint: {@code /metrics} (Prometheus text), {@code /health/live} and
 * {@code /health/ready} (200, or 503 with the reason). Runs on the gateway's Vert.x; the probes it calls must not block.
 */
public final class OperationsServer {

    /** The {@code Content-Type} of the Prometheus text exposition (version 0.0.4). */
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** What the endpoint reports; called on an event loop. */
    public interface Probes {
        /** The Prometheus text of every metric. */
        String scrape();

        /** Empty when ready, else why not. */
        Optional<String> notReadyBecause();
    }

    private final Vertx vertx;
    private final Probes probes;
    private HttpServer server;

    public OperationsServer(Vertx vertx, Probes probes) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.probes = Objects.requireNonNull(probes, "probes");
    }

    /**
     * Listens on {@code host:port} (0 = any free port).
     *
     * @return the bound port; failed when the port cannot be bound
     */
    public Future<Integer> start(String host, int port) {
        server = vertx.createHttpServer().requestHandler(this::handle);
        return server.listen(port, host).map(HttpServer::actualPort);
    }

    /** Stops listening. */
    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest request) {
        switch (request.path()) {
            case "/metrics" -> request.response().putHeader("Content-Type", METRICS_CONTENT_TYPE).end(probes.scrape());
            case "/health/live" -> request.response().putHeader("Content-Type", "text/plain").end("live\n");
            case "/health/ready" -> {
                Optional<String> problem = probes.notReadyBecause();
                request.response().setStatusCode(problem.isEmpty() ? 200 : 503).putHeader("Content-Type", "text/plain")
                        .end(problem.map(p -> "not ready: " + p + "\n").orElse("ready\n"));
            }
            default -> request.response().setStatusCode(404).end();
        }
    }
}
