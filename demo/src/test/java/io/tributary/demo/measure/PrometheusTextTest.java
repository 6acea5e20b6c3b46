package io.tributary.demo.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static final String EXPOSITION = """
            # HELP tributary_gateway_readings_in_total Readings accepted
            # TYPE tributary_gateway_readings_in_total counter
            tributary_gateway_readings_in_total 1215790
            tributary_gateway_messages_in_total{kind="telemetry"} 121579
            tributary_gateway_messages_in_total{kind="status"} 12
            tributary_processor_consumer_lag_records{consumer="readings"} 2416
            tributary_gateway_kafka_send_seconds_bucket{le="+Inf"} 7 1700000000000
            weird_label{detail="a } b"} 3.5
            tributary_processor_write_duration_seconds_max{writer="readings"} NaN
            broken_line_without_value
            """;

    @Test
    void shouldReadSeriesByNameAndLabels() {
        PrometheusText text = PrometheusText.parse(EXPOSITION);

        assertThat(text.value("tributary_gateway_readings_in_total")).isEqualTo(1215790);
        assertThat(text.value("tributary_gateway_messages_in_total{kind=\"telemetry\"}")).isEqualTo(121579);
        assertThat(text.value("tributary_processor_consumer_lag_records{consumer=\"readings\"}")).isEqualTo(2416);
    }

    @Test
    void shouldSumEveryLabelCombinationOfAMetric() {
        PrometheusText text = PrometheusText.parse(EXPOSITION);

        assertThat(text.sum("tributary_gateway_messages_in_total")).isEqualTo(121591);
        assertThat(text.sum("tributary_gateway_readings_in_total")).isEqualTo(1215790);
    }

    @Test
    void shouldIgnoreTimestampsAndKeepBracesInsideLabelValues() {
        PrometheusText text = PrometheusText.parse(EXPOSITION);

        assertThat(text.value("tributary_gateway_kafka_send_seconds_bucket{le=\"+Inf\"}")).isEqualTo(7);
        assertThat(text.value("weird_label{detail=\"a } b\"}")).isEqualTo(3.5);
        assertThat(text.value("tributary_processor_write_duration_seconds_max{writer=\"readings\"}")).isNaN();
    }

    @Test
    void shouldGiveNaNForWhatIsNotThere() {
        PrometheusText text = PrometheusText.parse(EXPOSITION);

        assertThat(text.value("tributary_gateway_messages_in_total")).isNaN();
        assertThat(text.sum("tributary_gateway_messages_in")).isNaN();
        assertThat(text.value("broken_line_without_value")).isNaN();
        assertThat(PrometheusText.parse("").size()).isZero();
    }
}
