package io.tributary.proto.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import org.junit.jupiter.api.Test;

class ReadingBatchTest {

    @Test
    void shouldRoundTripABatchThroughItsWireForm() throws Exception {
        ReadingBatch batch = ReadingBatch.newBuilder()
                .setDeviceId("dev-1")
                .setBatchSeq(42)
                .setCreatedAtUnixNanos(1_700_000_000_000_000_000L)
                .addReadings(Reading.newBuilder()
                        .setSensor("cpu_temp").setValue(51.5).setUnit("degC")
                        .setEventTimeUnixNanos(1_699_999_999_000_000_000L))
                .build();

        ReadingBatch parsed = ReadingBatch.parseFrom(batch.toByteArray());

        assertThat(parsed).isEqualTo(batch);
        assertThat(parsed.getReadings(0).getEventTimeUnixNanos()).isEqualTo(1_699_999_999_000_000_000L);
    }

    @Test
    void shouldRejectBytesThatAreNotABatch() {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};

        assertThatThrownBy(() -> ReadingBatch.parseFrom(garbage))
                .isInstanceOf(InvalidProtocolBufferException.class);
    }
}
