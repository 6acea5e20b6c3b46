package io.tributary.agent.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The device's batch sequence number, persisted so it keeps growing across restarts and reboots (DESIGN.md, guarantee 3).
 * Each number is on disk (written, fsynced, atomically renamed) before it is handed out, so a crash can skip a number
 * but never reuse one.
 */
public final class BatchSequence {

    private final Path file;
    private long last;

    public BatchSequence(Path stateDir) {
        this.file = stateDir.resolve("batch-seq");
        try {
            Files.createDirectories(stateDir);
            this.last = Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the batch sequence in " + file, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("the batch sequence file " + file + " is corrupt: " + e.getMessage(), e);
        }
    }

    public synchronized long next() {
        long candidate = last + 1;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(Long.toString(candidate).getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist the batch sequence to " + tmp, e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist the batch sequence to " + file, e);
        }
        last = candidate;
        return candidate;
    }
}
