package io.tributary.agent.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.agent.outbox.DiskOutbox.PendingBatch;
import io.tributary.agent.outbox.OutboxSettings.FsyncPolicy;
import io.tributary.agent.outbox.OutboxSettings.OverflowPolicy;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskOutboxTest {

    @TempDir
    Path stateDir;

    private static OutboxSettings settings(long maxBytes, long segmentBytes, OverflowPolicy overflow) {
        return new OutboxSettings(maxBytes, segmentBytes, FsyncPolicy.ALWAYS, Duration.ofSeconds(1), overflow);
    }

    private static byte[] payload(long seq, int size) {
        byte[] bytes = new byte[size];
        new Random(seq).nextBytes(bytes);
        return bytes;
    }

    private static List<Long> seqs(DiskOutbox outbox) {
        return outbox.pending().stream().map(PendingBatch::seq).toList();
    }

    private static void appendN(DiskOutbox outbox, int n, int size) {
        for (int i = 0; i < n; i++) {
            long seq = outbox.nextSequence();
            assertThat(outbox.append(seq, 2, payload(seq, size))).isTrue();
        }
    }

    /** A disk that fails writes (or fsyncs) while {@code full} is set; half-writes the record first, like ENOSPC. */
    private static final class FailingDisk implements DiskFaults {
        volatile boolean failWrites;
        volatile boolean failForces;

        @Override
        public void beforeWrite(Path segment) throws IOException {
            if (failWrites) {
                // a partial record, as a write that ran out of space leaves
                Files.write(segment, new byte[] {0x54, 0x52, 0x42}, java.nio.file.StandardOpenOption.APPEND);
                throw new IOException("No space left on device");
            }
        }

        @Override
        public void beforeForce(Path segment) throws IOException {
            if (failForces) {
                throw new IOException("Input/output error");
            }
        }
    }

    @Test
    void shouldCountABatchTheDiskRefusedAndGiveItsNumberToTheNextBatch() {
        FailingDisk disk = new FailingDisk();
        try (DiskOutbox outbox = new DiskOutbox(stateDir, OutboxSettings.defaults(), disk)) {
            appendN(outbox, 2, 100);

            disk.failWrites = true;
            assertThat(outbox.append(3, 7, payload(3, 100))).as("the disk is full").isFalse();
            assertThat(outbox.nextSequence()).as("a batch never stored takes no number").isEqualTo(3);
            disk.failWrites = false;
            disk.failForces = true;
            assertThat(outbox.append(3, 5, payload(3, 100))).as("fsync failed: not stored either").isFalse();
            assertThat(outbox.nextSequence()).isEqualTo(3);
            disk.failForces = false;

            assertThat(outbox.failedAppendsTotal()).isEqualTo(2);
            assertThat(outbox.droppedReadings()).as("unreported: 7 + 5").isEqualTo(12);
            assertThat(outbox.droppedReadingsTotal()).isEqualTo(12);
            assertThat(outbox.droppedBatchesTotal()).isEqualTo(2);
            assertThat(seqs(outbox)).containsExactly(1L, 2L);

            assertThat(outbox.append(3, 2, payload(3, 80))).isTrue();
            outbox.dropsReported(12);
            assertThat(outbox.droppedReadings()).isZero();
            assertThat(seqs(outbox)).containsExactly(1L, 2L, 3L);
        }
        try (DiskOutbox reopened = new DiskOutbox(stateDir, OutboxSettings.defaults())) {
            assertThat(seqs(reopened)).as("what the failed appends left is cut off; no torn record").containsExactly(
                    1L, 2L, 3L);
            assertThat(reopened.read(3)).isEqualTo(payload(3, 80));
            assertThat(reopened.nextSequence()).isEqualTo(4);
        }
    }

    @Test
    void shouldKeepUnreportedDropsThatCannotBePersistedInMemory() throws Exception {
        FailingDisk disk = new FailingDisk();
        try (DiskOutbox outbox = new DiskOutbox(stateDir, OutboxSettings.defaults(), disk)) {
            appendN(outbox, 1, 100);
            // the drop counter's file cannot be replaced: a directory stands where its temp file goes
            Files.createDirectories(stateDir.resolve("dropped-readings.tmp").resolve("x"));
            disk.failWrites = true;
            assertThat(outbox.append(2, 4, payload(2, 100))).isFalse();
            assertThat(outbox.droppedReadings()).as("counted although it could not be persisted").isEqualTo(4);
            disk.failWrites = false;
            assertThat(outbox.append(2, 1, payload(2, 100))).isTrue();
        }
    }

    @Test
    void shouldKeepBatchesUntilAcknowledgedAcrossRestarts() {
        try (DiskOutbox outbox = new DiskOutbox(stateDir, OutboxSettings.defaults())) {
            appendN(outbox, 5, 100);
            outbox.acknowledge(2);
            outbox.acknowledge(4);
            assertThat(seqs(outbox)).containsExactly(1L, 3L, 5L);
        }

        try (DiskOutbox reopened = new DiskOutbox(stateDir, OutboxSettings.defaults())) {
            assertThat(seqs(reopened)).containsExactly(1L, 3L, 5L);
            assertThat(reopened.read(3)).isEqualTo(payload(3, 100));
            assertThat(reopened.read(2)).as("acknowledged").isNull();
            assertThat(reopened.nextSequence()).isEqualTo(6);
        }
    }

    @Test
    void shouldKeepTheSequenceGrowingAfterEverythingWasAcknowledgedAndDeleted() throws IOException {
        OutboxSettings small = settings(64 * 1024, 2048, OverflowPolicy.DROP_OLDEST);
        try (DiskOutbox outbox = new DiskOutbox(stateDir, small)) {
            appendN(outbox, 40, 200);
            for (long seq = 1; seq <= 40; seq++) {
                outbox.acknowledge(seq);
            }
            assertThat(outbox.pendingCount()).isZero();
            assertThat(outbox.segmentFiles()).hasSizeLessThanOrEqualTo(1);
        }
        try (DiskOutbox reopened = new DiskOutbox(stateDir, small)) {
            assertThat(reopened.pending()).isEmpty();
            assertThat(reopened.nextSequence()).isEqualTo(41);
        }
    }

    @Test
    void shouldContinueAnExistingBatchSeqFile() throws IOException {
        Files.writeString(stateDir.resolve("batch-seq"), "1234");
        try (DiskOutbox outbox = new DiskOutbox(stateDir, OutboxSettings.defaults())) {
            assertThat(outbox.nextSequence()).isEqualTo(1235);
        }
    }

    @Test
    void shouldRefuseAnOutOfOrderSequence() {
        try (DiskOutbox outbox = new DiskOutbox(stateDir, OutboxSettings.defaults())) {
            assertThatThrownBy(() -> outbox.append(7, 1, new byte[1])).hasMessageContaining("expected seq 1");
        }
    }

    @Test
    void shouldDropATornTailAndKeepAppendingAfterTheValidPrefix() throws IOException {
        try (DiskOutbox outbox = new DiskOutbox(stateDir, OutboxSettings.defaults())) {
            appendN(outbox, 3, 100);
        }
        Path segment = segments().get(0);
        long size = Files.size(segment);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(size - 10); // the third record lost its last bytes
        }

        try (DiskOutbox reopened = new DiskOutbox(stateDir, OutboxSettings.defaults())) {
            assertThat(seqs(reopened)).containsExactly(1L, 2L);
            assertThat(reopened.nextSequence()).as("the torn batch was never confirmed: its number is reused")
                    .isEqualTo(3);
            reopened.append(3, 2, payload(99, 50));
        }
        try (DiskOutbox again = new DiskOutbox(stateDir, OutboxSettings.defaults())) {
            assertThat(seqs(again)).containsExactly(1L, 2L, 3L);
            assertThat(again.read(3)).isEqualTo(payload(99, 50));
        }
    }

    @Test
    void shouldRecoverFromTruncationAtAnyRandomOffset() throws IOException {
        OutboxSettings small = settings(1024 * 1024, 4096, OverflowPolicy.DROP_OLDEST);
        Path pristine = Files.createDirectories(stateDir.resolve("pristine"));
        try (DiskOutbox outbox = new DiskOutbox(pristine, small)) {
            appendN(outbox, 60, 150);
        }
        Path lastSegment = segmentsOf(pristine).get(segmentsOf(pristine).size() - 1);
        int segmentCount = segmentsOf(pristine).size();
        assertThat(segmentCount).isGreaterThan(2);
        long lastSize = Files.size(lastSegment);
        long firstInLast = Long.parseLong(lastSegment.getFileName().toString().replace(".seg", ""));
        long recordBytes = SegmentFormat.HEADER_BYTES + 150;
        Random random = new Random(42);
        for (int round = 0; round < 40; round++) {
            Path copy = stateDir.resolve("copy" + round);
            copyTree(pristine, copy);
            Path target = copy.resolve("outbox").resolve(lastSegment.getFileName());
            long cut = random.nextInt((int) lastSize + 1);
            try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw")) {
                file.setLength(cut);
            }
            long whole = cut / recordBytes;

            try (DiskOutbox reopened = new DiskOutbox(copy, small)) {
                List<Long> pending = seqs(reopened);
                long expectedLast = firstInLast - 1 + whole;
                assertThat(pending).as("cut at %d", cut).hasSize((int) expectedLast);
                assertThat(pending.get(pending.size() - 1)).isEqualTo(expectedLast);
                for (long seq : pending) {
                    assertThat(reopened.read(seq)).isEqualTo(payload(seq, 150));
                }
                long next = reopened.nextSequence();
                reopened.append(next, 1, payload(next, 150));
            }
            try (DiskOutbox again = new DiskOutbox(copy, small)) {
                assertThat(seqs(again)).hasSize((int) (firstInLast + whole));
            }
        }
    }

    @Test
    void shouldSkipACorruptRecordInAnOlderSegmentWithoutFailing() throws IOException {
        OutboxSettings small = settings(1024 * 1024, 2048, OverflowPolicy.DROP_OLDEST);
        try (DiskOutbox outbox = new DiskOutbox(stateDir, small)) {
            appendN(outbox, 30, 100);
        }
        Path first = segments().get(0);
        long recordBytes = SegmentFormat.HEADER_BYTES + 100;
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
            file.seek(recordBytes * 2 + SegmentFormat.HEADER_BYTES + 7); // a payload byte of seq 3
            int b = file.read();
            file.seek(recordBytes * 2 + SegmentFormat.HEADER_BYTES + 7);
            file.write(b ^ 0xFF);
        }

        try (DiskOutbox reopened = new DiskOutbox(stateDir, small)) {
            List<Long> pending = seqs(reopened);
            assertThat(pending).startsWith(1L, 2L).doesNotContain(3L);
            assertThat(pending).contains(30L);
            assertThat(reopened.nextSequence()).isEqualTo(31);
        }
    }

    @Test
    void shouldStayWithinItsBytesAndCountEveryDroppedReading() {
        OutboxSettings tiny = settings(64 * 1024, 8 * 1024, OverflowPolicy.DROP_OLDEST);
        long appendedReadings = 0;
        try (DiskOutbox outbox = new DiskOutbox(stateDir, tiny)) {
            for (int i = 0; i < 2000; i++) {
                long seq = outbox.nextSequence();
                outbox.append(seq, 5, payload(seq, 300));
                appendedReadings += 5;
                assertThat(outbox.sizeBytes()).isLessThanOrEqualTo(64 * 1024);
                if (seq % 3 == 0) {
                    outbox.acknowledge(seq);
                }
            }
            List<PendingBatch> pending = outbox.pending();
            long ackedReadings = 2000 / 3 * 5;
            long pendingReadings = pending.stream().mapToLong(PendingBatch::readings).sum();
            assertThat(outbox.droppedReadingsTotal()).isPositive();
            assertThat(outbox.droppedReadings()).isEqualTo(outbox.droppedReadingsTotal());
            assertThat(pendingReadings + outbox.droppedReadingsTotal() + ackedReadings)
                    .as("every reading is pending, acknowledged or counted as dropped")
                    .isEqualTo(appendedReadings);
            assertThat(pending.get(pending.size() - 1).seq()).as("the newest is kept").isEqualTo(2000);
            outbox.dropsReported(10);
        }
        try (DiskOutbox reopened = new DiskOutbox(stateDir, tiny)) {
            assertThat(reopened.droppedReadings()).as("unreported drops survive a restart")
                    .isEqualTo(reopenedExpected(reopened));
        }
    }

    private long reopenedExpected(DiskOutbox reopened) {
        try {
            return Long.parseLong(Files.readString(stateDir.resolve("dropped-readings")).trim());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldRefuseTheNewestBatchWhenToldTo() {
        OutboxSettings tiny = settings(64 * 1024, 8 * 1024, OverflowPolicy.DROP_NEWEST);
        try (DiskOutbox outbox = new DiskOutbox(stateDir, tiny)) {
            int accepted = 0;
            int refused = 0;
            for (int i = 0; i < 400; i++) {
                long seq = outbox.nextSequence();
                if (outbox.append(seq, 4, payload(seq, 300))) {
                    accepted++;
                } else {
                    refused++;
                }
            }
            assertThat(refused).isPositive();
            assertThat(outbox.pending()).hasSize(accepted);
            assertThat(outbox.pending().get(0).seq()).as("the oldest is kept").isEqualTo(1);
            assertThat(outbox.droppedReadingsTotal()).isEqualTo(refused * 4L);
        }
    }

    @Test
    void shouldPublishOnlyWhatWasForcedUnderTheIntervalPolicy() {
        OutboxSettings interval = new OutboxSettings(1024 * 1024, 0, FsyncPolicy.INTERVAL, Duration.ofSeconds(1),
                OverflowPolicy.DROP_OLDEST);
        try (DiskOutbox outbox = new DiskOutbox(stateDir, interval)) {
            appendN(outbox, 3, 10);
            assertThat(outbox.pending()).isEmpty();
            outbox.sync();
            assertThat(seqs(outbox)).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void shouldRejectSettingsThatCannotWork() {
        assertThatThrownBy(() -> settings(1000, 0, OverflowPolicy.DROP_OLDEST))
                .hasMessageContaining("outbox.max-bytes");
        assertThatThrownBy(() -> settings(1024 * 1024, 600 * 1024, OverflowPolicy.DROP_OLDEST))
                .hasMessageContaining("outbox.segment-bytes");
    }

    @Test
    void shouldRefuseACorruptSequenceFileWithAClearMessage() throws IOException {
        Files.writeString(stateDir.resolve("batch-seq"), "garbage", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> new DiskOutbox(stateDir, OutboxSettings.defaults()))
                .hasMessageContaining("batch-seq").hasMessageContaining("corrupt");
    }

    private List<Path> segments() throws IOException {
        return segmentsOf(stateDir);
    }

    private static List<Path> segmentsOf(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir.resolve("outbox"))) {
            return list.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
