package io.tributary.agent.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readings the outbox dropped: the unreported count survives restarts ({@code dropped-readings}) until a stored batch
 * carries it in {@code dropped_readings}. Guarded by the {@link DiskOutbox} that owns it.
 */
final class DropCounter {

    private static final Logger LOG = LoggerFactory.getLogger(DiskOutbox.class);

    private final CounterFile file;
    private long unreported;
    private long readingsTotal;
    private long batchesTotal;

    DropCounter(CounterFile file) throws IOException {
        this.file = file;
        this.unreported = file.read();
    }

    long unreported() {
        return unreported;
    }

    long readingsTotal() {
        return readingsTotal;
    }

    long batchesTotal() {
        return batchesTotal;
    }

    /** Counts a drop and logs it: WARN, or DEBUG when the caller logs it itself (rate-limited). */
    void count(int batches, long readings, String why, boolean warn) {
        unreported += readings;
        readingsTotal += readings;
        batchesTotal += batches;
        persist();
        String line = "Outbox dropped batches [batches: {}, readings: {}, reason: {}, dropped readings so far: {}]";
        if (warn) {
            LOG.warn(line, batches, readings, why, readingsTotal);
        } else {
            LOG.debug(line, batches, readings, why, readingsTotal);
        }
    }

    /** {@code reported} dropped readings went out in a batch that is now in the outbox. */
    void reported(long reported) {
        if (reported <= 0) {
            return;
        }
        unreported = Math.max(0, unreported - reported);
        persist();
    }

    /**
     * On a full disk this fails too: the count then lives in memory (and goes out with the next batch); only a restart
     * before that loses it, and the log says so.
     */
    private void persist() {
        try {
            file.write(unreported);
        } catch (UncheckedIOException e) {
            LOG.warn("Cannot persist the dropped-readings counter; it is kept in memory and reported with the next "
                    + "batch [file: {}, unreported: {}]: {}", file.file(), unreported, e.getCause().toString());
        }
    }
}
