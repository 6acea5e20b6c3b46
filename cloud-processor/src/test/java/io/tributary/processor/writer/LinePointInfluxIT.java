package io.tributary.processor.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.tributary.localstack.influx.InfluxV2WriteEndpoint;
import io.tributary.localstack.influx.ManagedInfluxd;

/**
 * {@link LinePoint}'s encoding through {@link InfluxPointWriter} into the real influxd 1.6 (behind the local stack's v2
 * write endpoint), read back with InfluxQL: floats in {@link Double#toString} notation (exponents included), escaped
 * names and tag values, integer and string fields.
 */
class LinePointInfluxIT {

    private static final String DATABASE = "linepoint";
    private static final double[] FLOATS = {1.0e-5, 1.0e20, -4.9e-324, Double.MAX_VALUE, 0.30000000000000004,
        -123456.789, 12345678.5, 1.0, 0.0};

    private static ManagedInfluxd influxd;
    private static InfluxV2WriteEndpoint endpoint;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startInflux() throws Exception {
        Path root = Files.createTempDirectory("linepoint-it");
        influxd = ManagedInfluxd.start(ManagedInfluxd.Config.of(root.resolve("influxdb")).withRemoveOnExit(root));
        endpoint = InfluxV2WriteEndpoint.start(influxd.url());
        influxd.createDatabase(DATABASE);
    }

    @AfterAll
    static void stopInflux() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (influxd != null) {
            influxd.close();
        }
    }

    @Test
    void shouldStoreEveryFloatExactlyAsWrittenIncludingExponentNotation() throws Exception {
        List<LinePoint> points = new ArrayList<>();
        long t0 = 1_700_000_000_000_000_001L;
        for (int i = 0; i < FLOATS.length; i++) {
            points.add(LinePoint.measurement("floats").tag("i", Integer.toString(i)).floatField("v", FLOATS[i])
                    .time(t0 + i));
        }
        assertThat(LinePoint.encode(points, new StringBuilder())).contains("v=1.0E-5 ", "v=1.0E20 ", "v=-4.9E-324 ");
        write(points, true);

        JsonArray rows = series("SELECT v, i FROM floats ORDER BY time").get(0).getAsJsonObject()
                .getAsJsonArray("values");
        assertThat(rows).hasSize(FLOATS.length);
        for (int i = 0; i < FLOATS.length; i++) {
            JsonArray row = rows.get(i).getAsJsonArray();
            assertThat(row.get(0).getAsLong()).isEqualTo(t0 + i);
            assertThat(row.get(1).getAsDouble()).as("float %s", FLOATS[i]).isEqualTo(FLOATS[i]);
            assertThat(row.get(2).getAsString()).isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void shouldStoreEscapedNamesTagsAndStringAndIntegerFieldsVerbatim() throws Exception {
        String message = "say \"hi\", C:\\dir\\ = x\nsecond line";
        LinePoint point = LinePoint.measurement("odd meas,1")
                .tag("tag key", "v a,l=ue").tag("b", "é ü")
                .stringField("msg", message).integerField("n", -42).floatField("f=x", 2.5)
                .time(1_700_000_000_123_456_789L);
        write(List.of(point), false);

        JsonObject serie = series("SELECT * FROM \"odd meas,1\"").get(0).getAsJsonObject();
        List<String> columns = new ArrayList<>();
        serie.getAsJsonArray("columns").forEach(c -> columns.add(c.getAsString()));
        JsonArray row = serie.getAsJsonArray("values").get(0).getAsJsonArray();
        assertThat(serie.get("name").getAsString()).isEqualTo("odd meas,1");
        assertThat(row.get(columns.indexOf("time")).getAsLong()).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(row.get(columns.indexOf("tag key")).getAsString()).isEqualTo("v a,l=ue");
        assertThat(row.get(columns.indexOf("b")).getAsString()).isEqualTo("é ü");
        assertThat(row.get(columns.indexOf("msg")).getAsString()).isEqualTo(message);
        assertThat(row.get(columns.indexOf("n")).getAsLong()).isEqualTo(-42);
        assertThat(row.get(columns.indexOf("f=x")).getAsDouble()).isEqualTo(2.5);
        // The i suffix made it an integer field, not a float.
        assertThat(fieldType("odd meas,1", "n")).isEqualTo("integer");
    }

    private static void write(List<LinePoint> points, boolean gzip) {
        try (InfluxPointWriter writer = new InfluxPointWriter(endpoint.url(), "", "org", DATABASE,
                Duration.ofSeconds(10), gzip)) {
            writer.write(points);
        }
    }

    private static String fieldType(String measurement, String field) throws Exception {
        for (var element : series("SHOW FIELD KEYS FROM \"" + measurement + "\"").get(0).getAsJsonObject()
                .getAsJsonArray("values")) {
            JsonArray row = element.getAsJsonArray();
            if (row.get(0).getAsString().equals(field)) {
                return row.get(1).getAsString();
            }
        }
        return null;
    }

    private static JsonArray series(String statement) throws Exception {
        String form = "q=" + URLEncoder.encode(statement, StandardCharsets.UTF_8) + "&epoch=ns&db=" + DATABASE;
        HttpRequest request = HttpRequest.newBuilder(URI.create(influxd.url() + "/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject result = JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("results")
                .get(0).getAsJsonObject();
        assertThat(result.has("error")).as("%s: %s", statement, result).isFalse();
        assertThat(result.has("series")).as("%s: %s", statement, result).isTrue();
        return result.getAsJsonArray("series");
    }
}
