package io.tributary.processor.writer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.stream.Stream;

import com.influxdb.exceptions.InfluxException;

/**
 * Decides whether a failed InfluxDB write is retried or its data dead-lettered. Anything not known to be about the data
 * itself is retried: a wrongly retried write costs time, a wrongly dead-lettered one costs an operator's replay.
 */
public final class WriteFailureClassifier {

    /** Classifies an exception thrown by {@code WriteApiBlocking}. */
    public WriteFailure classify(Throwable failure) {
        if (failure instanceof InfluxException influx && influx.status() > 0) {
            return classifyStatus(influx.status());
        }
        // No HTTP status: the request did not get an answer (connection refused, reset, timeout, DNS, ...).
        return WriteFailure.TRANSIENT;
    }

    /** Classifies an HTTP status code of a failed write. */
    public WriteFailure classifyStatus(int status) {
        return switch (status) {
            case 400, 413, 422 -> WriteFailure.REJECTED;
            case 408, 425, 429 -> WriteFailure.TRANSIENT;
            default -> status >= 400 && status < 500 ? WriteFailure.MISCONFIGURED : WriteFailure.TRANSIENT;
        };
    }

    /** The HTTP status of a failure, or 0 if the request got no answer. */
    public static int statusOf(Throwable failure) {
        return failure instanceof InfluxException influx ? influx.status() : 0;
    }

    /** A one-line description of a failure for logs and dead-letter headers. */
    public static String describe(Throwable failure) {
        Throwable root = failure;
        if (failure instanceof InfluxException && failure.getCause() != null) {
            root = failure.getCause();
        }
        if (root instanceof UncheckedIOException && root.getCause() != null) {
            root = root.getCause();
        }
        int status = statusOf(failure);
        String message = failure instanceof InfluxException influx && status > 0 ? serverMessage(influx)
                : root.getMessage();
        String kind = status > 0 ? "HTTP " + status : root instanceof IOException ? "I/O error "
                + root.getClass().getSimpleName() : root.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : kind + ": " + message.strip();
    }

    /** The server's explanation: JSON {@code message} (2.x/3.x) or {@code error} (1.x), else the error headers. */
    private static String serverMessage(InfluxException influx) {
        return Stream.of("message", "error").map(key -> influx.errorBody().get(key))
                .filter(value -> value != null && !value.toString().isBlank()).map(Object::toString).findFirst()
                .or(() -> influx.headers().entrySet().stream()
                        .filter(h -> h.getKey().equalsIgnoreCase("X-Influxdb-Error")
                                || h.getKey().equalsIgnoreCase("X-Influx-Error"))
                        .map(Map.Entry::getValue).filter(value -> value != null && !value.isBlank()).findFirst())
                .orElse(influx.getMessage());
    }
}
