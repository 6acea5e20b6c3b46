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

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final Duration timeout;

    /** @param timeout how long one request may take */
    public LocalHttp(Duration timeout) {
        this.timeout = timeout;
    }

    /** Whether {@code uri} answers 200 (false while it cannot be reached). */
    public boolean ok(URI uri) {
        try {
            return client.send(request(uri), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The body of a 200 answer; empty for any other answer or none. */
    public String get(URI uri) {
        try {
            HttpResponse<String> response = client.send(request(uri), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private HttpRequest request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    }
}
