package io.tributary.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void shouldEscapeQuotesBackslashesAndControlCharacters() {
        assertThat(Json.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(Json.quote("\n\r\t\b\f")).isEqualTo("\"\\n\\r\\t\\b\\f\"");
        assertThat(Json.quote("\u0001\u001f")).isEqualTo("\"\\u0001\\u001f\"");
        assertThat(Json.quote("é ü 中 </")).as("printable text stays").isEqualTo("\"é ü 中 </\"");
    }

    @Test
    void shouldWriteNestedMapsAndListsInOrder() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", List.of(true, 2.5, "x"));
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("name", "run \"1\"");
        outer.put("inner", inner);
        outer.put("none", null);
        outer.put("count", 42L);

        assertThat(Json.write(outer))
                .isEqualTo("{\"name\":\"run \\\"1\\\"\",\"inner\":{\"z\":1,\"a\":[true,2.5,\"x\"]},\"none\":null,"
                        + "\"count\":42}");
    }

    @Test
    void shouldWriteNumbersThatJsonCannotHoldAsNull() {
        assertThat(Json.write(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Float.NaN, 1.0)))
                .isEqualTo("[null,null,null,1.0]");
    }

    @Test
    void shouldWriteOtherObjectsAsTheirTextAndKeysAsStrings() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(7, java.time.Duration.ofSeconds(5));

        assertThat(Json.write(map)).isEqualTo("{\"7\":\"PT5S\"}");
        assertThat(Json.write(List.of())).isEqualTo("[]");
        assertThat(Json.write(null)).isEqualTo("null");
    }
}
