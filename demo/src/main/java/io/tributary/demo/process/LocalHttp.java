package io.tributary.demo.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * GETs against the pipeline's own HTTP endpoints on this machine ({@code /health/ready}, {@code /metrics}, InfluxQL):
 * a component that is busy, starting or gone answers "not ok" / empty, never an exception, because every caller polls.
 */
public final class LocalHttp {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** HTTP/1.1: Node.js (bench peers) drops a connection that asks to upgrade to h2c, as Java's client does by default. */
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT).build();
    private final Duration timeout;

    /** @param timeout how long one request may take */
    public LocalHttp(Duration timeout) {
        this.timeout = timeout;
    }

    /** Whether {@code uri} answers 200 (false while it cannot be reached). */
    public boolean ok(URI uri) {
        HttpResponse<Void> response = send(uri, HttpResponse.BodyHandlers.discarding());
        return response != null && response.statusCode() == 200;
    }

    /** The body of a 200 answer; empty for any other answer or none. */
    public String get(URI uri) {
        HttpResponse<String> response = send(uri, HttpResponse.BodyHandlers.ofString());
        return response != null && response.statusCode() == 200 ? response.body() : "";
    }

    /** The answer; null when there is none. */
    private <T> HttpResponse<T> send(URI uri, HttpResponse.BodyHandler<T> body) {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), body);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
