package io.tributary.agent.outbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * Run in a child JVM by {@link DiskOutboxCrashTest}: appends batches forever (fsync always), printing "W seq" after each
 * append returned and "A seq" before each acknowledgement, until it is killed with SIGKILL.
 */
public final class OutboxCrashChild {

    private OutboxCrashChild() {
    }

    public static void main(String[] args) {
        Path stateDir = Path.of(args[0]);
        DiskOutbox outbox = new DiskOutbox(stateDir, settings());
        Random random = new Random();
        System.out.println("READY " + outbox.nextSequence());
        System.out.flush();
        while (true) {
            long seq = outbox.nextSequence();
            byte[] payload = new byte[50 + random.nextInt(400)];
            random.nextBytes(payload);
            outbox.append(seq, 3, payload);
            System.out.println("W " + seq);
            if (seq % 4 == 0 && seq > 2) {
                System.out.println("A " + (seq - 2));
                System.out.flush();
                outbox.acknowledge(seq - 2);
            }
            System.out.flush();
        }
    }

    static OutboxSettings settings() {
        return new OutboxSettings(4L * 1024 * 1024, 8 * 1024, OutboxSettings.FsyncPolicy.ALWAYS,
                Duration.ofSeconds(1), OutboxSettings.OverflowPolicy.DROP_OLDEST);
    }
}
