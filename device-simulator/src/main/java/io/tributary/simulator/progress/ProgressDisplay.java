package io.tributary.simulator.progress;

import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.ledger.LossLedger;
import java.io.PrintStream;

/**
 * The fleet's live status: on a terminal one line rewritten in place, otherwise a plain line each time (for logs and
 * pipes). Rates are since the previous call.
 */
public final class ProgressDisplay {

    private static final String CLEAR_TO_END_OF_LINE = "\u001b[K";

    private final Fleet fleet;
    private final PrintStream out;
    private final boolean terminal;
    private final long startNanos;
    private long previousAt;
    private long previousPublishes;
    private long previousAcked;
    private boolean lineOpen;

    public ProgressDisplay(Fleet fleet, PrintStream out, boolean terminal, long startNanos) {
        this.fleet = fleet;
        this.out = out;
        this.terminal = terminal;
        this.startNanos = startNanos;
        this.previousAt = startNanos;
    }

    /** Shows the status now. */
    public void update() {
        String line = line(System.nanoTime());
        if (terminal) {
            out.print("\r" + line + CLEAR_TO_END_OF_LINE);
            out.flush();
            lineOpen = true;
        } else {
            out.println(line);
        }
    }

    /** Ends the rewritten line, so what follows starts on its own line. */
    public void finish() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
        }
    }

    String line(long now) {
        LossLedger.Totals totals = fleet.ledger().totals();
        double seconds = Math.max((now - previousAt) / 1e9, 1e-3);
        double publishRate = (totals.publishes() - previousPublishes) / seconds;
        double ackRate = (totals.publishedReadings() - previousAcked) / seconds;
        previousAt = now;
        previousPublishes = totals.publishes();
        previousAcked = totals.publishedReadings();
        return String.format("[%5ds] connected %,d/%,d | publish %,.0f msg/s | acked %,.0f readings/s (%,d total)"
                        + " | backlog %,d batches (%,d in flight) | errors: rejected %,d, retries %,d, connect %,d",
                (now - startNanos) / 1_000_000_000L, fleet.connectedDevices(), fleet.deviceCount(), publishRate, ackRate,
                totals.publishedReadings(), fleet.unsettledBatches(), fleet.inFlightBatches(),
                totals.rejectedReadings(), totals.retries(), fleet.connectFailures());
    }
}
