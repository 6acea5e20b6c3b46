package io.tributary.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void shouldWriteNumbersStringsAndNestedObjectsOnOneLine() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("dev \"1\"", 3L);
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("published_readings", 10L);
        object.put("ok", true);
        object.put("rate", Double.NaN);
        object.put("loss", nested);

        assertThat(Json.write(object))
                .isEqualTo("{\"published_readings\":10,\"ok\":true,\"rate\":null,\"loss\":{\"dev \\\"1\\\"\":3}}");
    }
}
