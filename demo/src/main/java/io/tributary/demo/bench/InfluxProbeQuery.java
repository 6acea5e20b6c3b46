package io.tributary.demo.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The probe's InfluxQL query: which of its readings InfluxDB returns already. */
final class InfluxProbeQuery {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI queryUrl;
    private final String database;
    private final String deviceId;

    InfluxProbeQuery(String influxQueryUrl, String database, String deviceId) {
        this.queryUrl = URI.create(influxQueryUrl + "/query");
        this.database = database;
        this.deviceId = deviceId;
    }

    /** The event times (ns) of the probe's readings stored at or after {@code fromNanos}. */
    List<Long> storedTimes(long fromNanos) throws IOException, InterruptedException {
        String query = "SELECT value FROM readings WHERE device = '" + deviceId + "' AND time >= " + fromNanos;
        String form = "db=" + URLEncoder.encode(database, StandardCharsets.UTF_8) + "&epoch=ns&q="
                + URLEncoder.encode(query, StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(queryUrl).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        return parseTimes(response.body());
    }

    /** The point times of an InfluxQL JSON answer ({@code epoch=ns}); empty when it holds no series. */
    static List<Long> parseTimes(String body) {
        List<Long> times = new ArrayList<>();
        JsonArray results = new JsonObject(body).getJsonArray("results", new JsonArray());
        for (int r = 0; r < results.size(); r++) {
            JsonArray series = results.getJsonObject(r).getJsonArray("series", new JsonArray());
            for (int s = 0; s < series.size(); s++) {
                JsonArray values = series.getJsonObject(s).getJsonArray("values", new JsonArray());
                for (int v = 0; v < values.size(); v++) {
                    times.add(((Number) values.getJsonArray(v).getValue(0)).longValue());
                }
            }
        }
        return times;
    }
}
