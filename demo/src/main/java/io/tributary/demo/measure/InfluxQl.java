package io.tributary.demo.measure;

import io.tributary.demo.process.LocalHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** InfluxQL against {@code influxd} directly (not through a front or the v2 endpoint): what is stored already. */
public final class InfluxQl {

    private final String queryUrl;
    private final LocalHttp http = new LocalHttp(Duration.ofSeconds(5));

    /** Queries {@code database}; answers give times in {@code epoch} units ({@code ms}, {@code ns}). */
    public InfluxQl(String directUrl, String database, String epoch) {
        this.queryUrl = directUrl + "/query?db=" + URLEncoder.encode(database, StandardCharsets.UTF_8) + "&epoch="
                + epoch + "&q=";
    }

    /** The rows of every series of the answer; empty when there is none or no answer. */
    public List<JsonArray> query(String influxQl) {
        return rows(http.get(URI.create(queryUrl + URLEncoder.encode(influxQl, StandardCharsets.UTF_8))));
    }

    /** The rows of every series of an InfluxQL JSON answer (empty for an empty body). */
    public static List<JsonArray> rows(String body) {
        List<JsonArray> rows = new ArrayList<>();
        if (body.isEmpty()) {
            return rows;
        }
        for (Object result : new JsonObject(body).getJsonArray("results", new JsonArray())) {
            for (Object series : ((JsonObject) result).getJsonArray("series", new JsonArray())) {
                ((JsonObject) series).getJsonArray("values", new JsonArray()).forEach(row -> rows.add((JsonArray) row));
            }
        }
        return rows;
    }
}
