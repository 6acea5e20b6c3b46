package io.tributary.processor.contract;

import java.util.Optional;

import io.tributary.contract.ContractViolation;
import io.tributary.contract.InputContract;
import io.tributary.contract.SensorCardinality;
import io.tributary.proto.v1.ReadingBatch;

/**
 * The input contract of the {@code contract} module as the processor's {@link TelemetryCheck}: the stateless rules
 * ({@link InputContract#check}), then the device's sensor cardinality ({@link SensorCardinality}, shared by every
 * writer thread and the Streams part of this process, so they agree on which batches are admitted).
 */
public final class ContractCheck implements TelemetryCheck {

    private final InputContract contract;
    private final SensorCardinality cardinality;

    public ContractCheck(InputContract contract) {
        this.contract = contract;
        this.cardinality = new SensorCardinality(contract);
    }

    @Override
    public Violation check(ReadingBatch batch, long nowUnixNanos) {
        Optional<ContractViolation> violation = contract.check(batch, nowUnixNanos);
        if (violation.isEmpty()) {
            violation = cardinality.admit(batch.getDeviceId(), batch);
        }
        return violation.map(v -> new Violation(v.rule().label(), v.detail())).orElse(null);
    }
}
