package io.tributary.localstack.influx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.common.Json;
import java.util.Objects;
import java.util.Optional;

/**
 * An error in the InfluxDB v2 API's shape, {@code {"code":"invalid","message":"..."}}, and its translation from an
 * influxd 1.x error response ({@code {"error":"..."}}) that keeps the HTTP status.
 *
 * @param status  the HTTP status to answer with
 * @param code    the v2 error code, e.g. {@code invalid}, {@code not found}
 * @param message the human-readable reason (influxd's own text when translated)
 */
public record V2Error(int status, String code, String message) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public V2Error {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP error status, got " + status);
        }
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    /** Translates an influxd 1.x error response; the message is influxd's {@code error} text, else the raw body. */
    public static V2Error fromV1(int status, String v1Body) {
        String body = v1Body == null ? "" : v1Body.trim();
        String message = stringField(body, "error").orElse(body);
        if (message.isEmpty()) {
            message = "influxd answered HTTP " + status;
        }
        return of(status, message);
    }

    /** An error with the v2 code of its status. */
    public static V2Error of(int status, String message) {
        return new V2Error(status, codeFor(status), message);
    }

    /** The v2 error code the InfluxDB 2.x API uses for an HTTP status. */
    public static String codeFor(int status) {
        return switch (status) {
            case 400 -> "invalid";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 409 -> "conflict";
            case 413 -> "request too large";
            case 422 -> "unprocessable entity";
            case 429 -> "too many requests";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal error" : "invalid";
        };
    }

    public String toJson() {
        return "{\"code\":" + Json.quote(code) + ",\"message\":" + Json.quote(message) + "}";
    }

    /** The top-level string field {@code name} of a JSON object; empty when the text is not one or lacks it. */
    static Optional<String> stringField(String json, String name) {
        try {
            JsonNode field = MAPPER.readTree(json).get(name);
            return field != null && field.isTextual() ? Optional.of(field.textValue()) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
