package io.tributary.agent.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchQueueTest {

    @TempDir
    Path stateDir;

    @Test
    void shouldDropTheOldestBatchWhenFullAndCountItsReadings() throws Exception {
        BatchQueue queue = new BatchQueue(2);
        queue.add(batch(1, 3));
        queue.add(batch(2, 3));

        queue.add(batch(3, 3));

        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.peek(0, TimeUnit.SECONDS).getBatchSeq()).isEqualTo(2);
        assertThat(queue.takeDroppedReadings()).isEqualTo(3);
        assertThat(queue.takeDroppedReadings()).isZero();
    }

    @Test
    void shouldKeepABatchUntilItIsRemoved() throws Exception {
        BatchQueue queue = new BatchQueue(5);
        ReadingBatch batch = batch(1, 1);
        queue.add(batch);

        assertThat(queue.peek(0, TimeUnit.SECONDS)).isSameAs(batch);
        assertThat(queue.peek(0, TimeUnit.SECONDS)).isSameAs(batch);
        queue.remove(batch);

        assertThat(queue.peek(10, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void shouldReportDroppedReadingsInTheNextBatchThatIsSent() {
        BatchAssembler assembler = new BatchAssembler("dev-1", new BatchSequence(stateDir));

        assertThat(assembler.close(100, () -> 7)).as("nothing to send").isNull();
        assembler.add("load1", "", 0.5, 50);
        ReadingBatch batch = assembler.close(100, () -> 7);

        assertThat(batch.getDroppedReadings()).isEqualTo(7);
        assertThat(batch.getBatchSeq()).isEqualTo(1);
    }

    @Test
    void shouldNeverGiveTwoReadingsTheSameTimestamp() {
        BatchAssembler assembler = new BatchAssembler("dev-1", new BatchSequence(stateDir));
        assembler.add("load1", "", 0.5, 50);
        assembler.add("load1", "", 0.6, 50);

        ReadingBatch batch = assembler.close(100, () -> 0);

        assertThat(batch.getReadingsList()).extracting(Reading::getEventTimeUnixNanos).containsExactly(50L, 51L);
    }

    private static ReadingBatch batch(long seq, int readings) {
        ReadingBatch.Builder batch = ReadingBatch.newBuilder().setDeviceId("dev-1").setBatchSeq(seq);
        for (int i = 0; i < readings; i++) {
            batch.addReadings(Reading.newBuilder().setSensor("s").setValue(i).setEventTimeUnixNanos(seq * 100 + i));
        }
        return batch.build();
    }
}
