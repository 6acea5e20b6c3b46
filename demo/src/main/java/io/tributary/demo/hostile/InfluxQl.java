package io.tributary.demo.hostile;

import io.tributary.demo.process.LocalHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** InfluxQL against {@code influxd} directly (not through the {@link InfluxFront}): what the suite finds stored. */
public final class InfluxQl {

    private final String directUrl;
    private final String database;
    private final LocalHttp http = new LocalHttp(Duration.ofSeconds(5));

    InfluxQl(String directUrl, String database) {
        this.directUrl = directUrl;
        this.database = database;
    }

    /** The rows of every series of the answer ({@code epoch=ms}); empty when there is none or no answer. */
    public List<JsonArray> query(String influxQl) {
        String url = directUrl + "/query?db=" + database + "&epoch=ms&q="
                + URLEncoder.encode(influxQl, StandardCharsets.UTF_8);
        String body = http.get(URI.create(url));
        List<JsonArray> rows = new ArrayList<>();
        if (body.isEmpty()) {
            return rows;
        }
        JsonArray results = new JsonObject(body).getJsonArray("results", new JsonArray());
        for (Object result : results) {
            JsonArray series = ((JsonObject) result).getJsonArray("series", new JsonArray());
            for (Object one : series) {
                JsonArray values = ((JsonObject) one).getJsonArray("values", new JsonArray());
                values.forEach(row -> rows.add((JsonArray) row));
            }
        }
        return rows;
    }

    /** Rollups (10 s windows) of devices whose id starts with {@code devicePrefix}, starting at or after {@code from}. */
    public long rollupsSince(String devicePrefix, Instant from) {
        List<JsonArray> rows = query("SELECT count(\"count\") FROM \"rollups\" WHERE \"device\" =~ /^"
                + devicePrefix.replace("-", "\\-") + "/ AND \"window\" = '10s' AND time >= "
                + from.toEpochMilli() + "ms");
        return rows.isEmpty() || rows.get(0).getValue(1) == null ? 0 : rows.get(0).getLong(1);
    }
}
