package io.tributary.localstack.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class V2ErrorTest {

    private static final String FIELD_CONFLICT = "{\"error\":\"partial write: field type conflict: input field "
            + "\\\"value\\\" on measurement \\\"readings\\\" is type string, already exists as type float dropped=1\"}\n";

    @Test
    void shouldTakeInfluxdsReasonAndKeepTheStatus() {
        V2Error error = V2Error.fromV1(400, FIELD_CONFLICT);

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.code()).isEqualTo("invalid");
        assertThat(error.message()).isEqualTo("partial write: field type conflict: input field \"value\" on "
                + "measurement \"readings\" is type string, already exists as type float dropped=1");
    }

    @Test
    void shouldRenderTheV2JsonShapeWithEscapedMessage() {
        String json = V2Error.fromV1(400, FIELD_CONFLICT).toJson();

        assertThat(json).startsWith("{\"code\":\"invalid\",\"message\":\"partial write: field type conflict: input "
                + "field \\\"value\\\" on measurement \\\"readings\\\"");
        assertThat(V2Error.stringField(json, "message")).contains(V2Error.fromV1(400, FIELD_CONFLICT).message());
        assertThat(V2Error.stringField(json, "code")).contains("invalid");
    }

    @Test
    void shouldMapStatusesToV2Codes() {
        assertThat(V2Error.fromV1(404, "{\"error\":\"database not found: \\\"nope\\\"\"}"))
                .isEqualTo(new V2Error(404, "not found", "database not found: \"nope\""));
        assertThat(V2Error.fromV1(401, "{\"error\":\"unable to parse authentication credentials\"}").code())
                .isEqualTo("unauthorized");
        assertThat(V2Error.fromV1(413, "{\"error\":\"Request Entity Too Large\"}").code())
                .isEqualTo("request too large");
        assertThat(V2Error.fromV1(500, "{\"error\":\"timeout\"}").code()).isEqualTo("internal error");
        assertThat(V2Error.fromV1(503, "").code()).isEqualTo("unavailable");
        assertThat(V2Error.fromV1(418, "").code()).isEqualTo("invalid");
    }

    @Test
    void shouldFallBackToTheRawBodyWhenItIsNotInfluxdsJson() {
        assertThat(V2Error.fromV1(400, "unable to parse 'garbage': missing fields\n").message())
                .isEqualTo("unable to parse 'garbage': missing fields");
        assertThat(V2Error.fromV1(400, "{\"other\":\"x\"}").message()).isEqualTo("{\"other\":\"x\"}");
    }

    @Test
    void shouldNameTheStatusWhenTheBodyIsEmpty() {
        assertThat(V2Error.fromV1(502, null).message()).isEqualTo("influxd answered HTTP 502");
        assertThat(V2Error.fromV1(502, "  \n").message()).isEqualTo("influxd answered HTTP 502");
    }

    @Test
    void shouldEscapeControlCharactersBackslashesAndQuotes() {
        String json = new V2Error(400, "invalid", "a\"b\\c\nd\te\u0001").toJson();

        assertThat(json).isEqualTo("{\"code\":\"invalid\",\"message\":\"a\\\"b\\\\c\\nd\\te\\u0001\"}");
        assertThat(V2Error.stringField(json, "message")).contains("a\"b\\c\nd\te\u0001");
    }

    @Test
    void shouldReadOnlyTopLevelFields() {
        assertThat(V2Error.stringField("{\"nested\":{\"error\":\"inner\"},\"error\":\"outer\"}", "error"))
                .contains("outer");
        assertThat(V2Error.stringField("{\"x\":\"\\\"error\\\": no\"}", "error")).isEmpty();
        assertThat(V2Error.stringField("{\"error\":\"unterminated", "error")).isEmpty();
        assertThat(V2Error.stringField("{\"error\":42}", "error")).isEmpty();
        assertThat(V2Error.stringField("{\"error\":\"\\u00e9t\\u00e9\"}", "error")).contains("été");
    }

    @Test
    void shouldOnlyRepresentErrorStatuses() {
        assertThatThrownBy(() -> new V2Error(204, "invalid", "no")).isInstanceOf(IllegalArgumentException.class);
    }
}
