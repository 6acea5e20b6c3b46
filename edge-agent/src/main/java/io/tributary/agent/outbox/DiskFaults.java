package io.tributary.agent.outbox;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the outbox asks before it writes or forces a segment: a test seam for a full or failing disk (running as root,
 * a read-only directory does not fail writes, and a small filesystem needs a mount). Production uses {@link #NONE}.
 */
public interface DiskFaults {

    /** Never fails. */
    DiskFaults NONE = new DiskFaults() {
    };

    /** Called before a record is written to {@code segment}; throw to simulate the write failing. */
    default void beforeWrite(Path segment) throws IOException {
    }

    /** Called before {@code segment} is forced to the device; throw to simulate fsync failing. */
    default void beforeForce(Path segment) throws IOException {
    }
}
