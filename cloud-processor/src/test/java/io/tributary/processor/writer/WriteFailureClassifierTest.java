package io.tributary.processor.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import com.influxdb.exceptions.InfluxException;

class WriteFailureClassifierTest {

    private final WriteFailureClassifier classifier = new WriteFailureClassifier();

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
        "400, REJECTED",       // bad line protocol; 1.x/3.x field type conflict (partial write)
        "413, REJECTED",       // request too large: split down to single records
        "422, REJECTED",       // 2.x field type conflict, outside retention
        "401, MISCONFIGURED",  // wrong token: would reject every record alike
        "403, MISCONFIGURED",
        "404, MISCONFIGURED",  // bucket / database missing
        "405, MISCONFIGURED",  // not an InfluxDB write endpoint
        "408, TRANSIENT",
        "429, TRANSIENT",      // rate limited
        "500, TRANSIENT",
        "502, TRANSIENT",
        "503, TRANSIENT",
        "504, TRANSIENT",
    })
    void shouldClassifyHttpStatus(int status, WriteFailure expected) {
        assertThat(classifier.classifyStatus(status)).isEqualTo(expected);
    }

    @Test
    void shouldRetryOnlyWhatIsNotAboutTheData() {
        assertThat(WriteFailure.TRANSIENT.retryable()).isTrue();
        assertThat(WriteFailure.MISCONFIGURED.retryable()).isTrue();
        assertThat(WriteFailure.REJECTED.retryable()).isFalse();
    }

    @Test
    void shouldTreatFailuresWithoutAnAnswerAsTransient() {
        assertThat(classifier.classify(new InfluxException(new ConnectException("Connection refused"))))
                .isEqualTo(WriteFailure.TRANSIENT);
        assertThat(classifier.classify(new InfluxException(new SocketTimeoutException("timeout"))))
                .isEqualTo(WriteFailure.TRANSIENT);
        assertThat(classifier.classify(new java.io.UncheckedIOException(new IOException("reset"))))
                .isEqualTo(WriteFailure.TRANSIENT);
        assertThat(classifier.classify(new IllegalStateException("unexpected"))).isEqualTo(WriteFailure.TRANSIENT);
    }

    @Test
    void shouldDescribeAnIoFailureByItsCause() {
        assertThat(WriteFailureClassifier.describe(new InfluxException(new ConnectException("Connection refused"))))
                .isEqualTo("I/O error ConnectException: Connection refused");
    }
}
