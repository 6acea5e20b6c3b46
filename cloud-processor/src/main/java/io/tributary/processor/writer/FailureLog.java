package io.tributary.processor.writer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs a failing operation once when it starts failing or fails differently, and once when it recovers. */
final class FailureLog {

    private static final Logger log = LoggerFactory.getLogger(InfluxTopicWriter.class);

    private final String operation;
    private final Duration backoffMax;
    private String lastSignature;
    private long failingSinceNanos;
    private int attempts;

    FailureLog(String operation, Duration backoffMax) {
        this.operation = operation;
        this.backoffMax = backoffMax;
    }

    void failed(WriteFailure failure, Throwable e, int records, String description) {
        attempts++;
        String signature = failure + "/" + WriteFailureClassifier.statusOf(e) + "/" + e.getClass().getName();
        if (signature.equals(lastSignature)) {
            return;
        }
        if (lastSignature == null) {
            failingSinceNanos = System.nanoTime();
        }
        lastSignature = signature;
        if (failure == WriteFailure.MISCONFIGURED) {
            log.error("{} failing, probably misconfigured (URL, token, org or bucket); retrying with backoff up "
                    + "to {}, offsets stay uncommitted [records: {}]: {}", operation, backoffMax, records,
                    description);
        } else {
            log.warn("{} failing; retrying with backoff up to {}, offsets stay uncommitted [records: {}]: {}",
                    operation, backoffMax, records, description);
        }
    }

    void recovered() {
        if (lastSignature != null) {
            log.info("{} succeeds again after {} failed attempts in {} ms", operation, attempts,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failingSinceNanos));
            lastSignature = null;
            attempts = 0;
        }
    }
}
