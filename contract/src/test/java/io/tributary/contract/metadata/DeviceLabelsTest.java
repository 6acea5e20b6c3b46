package io.tributary.contract.metadata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DeviceLabelsTest {

    private static final Instant T = Instant.parse("2026-12-07T08:00:00Z");

    @Test
    void jsonRoundTripKeepsLabelsSortedByKey() {
        DeviceLabels labels = new DeviceLabels("d-1", Map.of("site", "plant-3", "kind", "motor"), T);
        assertEquals("{\"device\":\"d-1\",\"labels\":{\"kind\":\"motor\",\"site\":\"plant-3\"},"
                + "\"updated\":\"2026-12-07T08:00:00Z\"}", new String(labels.toJson(), StandardCharsets.UTF_8));
        DeviceLabels read = DeviceLabels.fromJson("d-1", labels.toJson());
        assertEquals(labels, read);
        assertEquals(List.of("kind", "site"), List.copyOf(read.labels().keySet()));
        assertArrayEquals(labels.toJson(), read.toJson());
    }

    @Test
    void withSetsReplacesAndRemoves() {
        DeviceLabels labels = new DeviceLabels("d-1", Map.of("site", "plant-3", "kind", "motor"), T);
        DeviceLabels next = labels.with(Map.of("site", "plant-4", "line", "b"), Set.of("kind"), T.plusSeconds(1));
        assertEquals(Map.of("site", "plant-4", "line", "b"), next.labels());
        assertEquals(T.plusSeconds(1), next.updated());
    }

    @Test
    void parseTakesKeyEqualsValue() {
        assertEquals(Map.entry("site", "plant-3"), DeviceLabels.parse("site=plant-3"));
        // the first '=' splits; '=' is no legal value character
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceLabels.parse("p=a=b"));
        assertTrue(e.getMessage().contains("value 'a=b'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeviceLabels.parse("site"));
    }

    @Test
    void refusesBadKeysValuesAndTooMany() {
        for (String key : List.of("", "Site", "1site", "site-x", "s".repeat(33), "device", "sensor", "time")) {
            assertThrows(IllegalArgumentException.class, () -> DeviceLabels.check(key, "v"), key);
        }
        for (String value : List.of("", "plant 3", "plant,3", "x=y", "é", "v".repeat(65), "a\"b")) {
            assertThrows(IllegalArgumentException.class, () -> DeviceLabels.check("site", value), value);
        }
        DeviceLabels.check("s".repeat(32), "v".repeat(64));
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 17; i++) {
            many.put("k" + i, "v");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DeviceLabels("d-1", many, T));
        assertTrue(e.getMessage().contains("at most 16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DeviceLabels("bad/id", Map.of(), T));
    }

    @Test
    void hostileRecordsAreRefusedWithAReason() {
        List<String> bad = List.of("not json", "[]", "{\"device\":\"d-1\"}",
                "{\"device\":\"d-2\",\"labels\":{},\"updated\":\"2026-12-07T08:00:00Z\"}",
                "{\"device\":\"d-1\",\"labels\":{\"site\":3},\"updated\":\"2026-12-07T08:00:00Z\"}",
                "{\"device\":\"d-1\",\"labels\":{\"Site\":\"x\"},\"updated\":\"2026-12-07T08:00:00Z\"}",
                "{\"device\":\"d-1\",\"labels\":{},\"updated\":\"yesterday\"}");
        for (String json : bad) {
            assertThrows(IllegalArgumentException.class,
                    () -> DeviceLabels.fromJson("d-1", json.getBytes(StandardCharsets.UTF_8)), json);
        }
        byte[] huge = new byte[DeviceLabels.MAX_JSON_BYTES + 1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceLabels.fromJson("d-1", huge));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }
}
