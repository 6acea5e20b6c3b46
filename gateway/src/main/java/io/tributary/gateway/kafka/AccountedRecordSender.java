package io.tributary.gateway.kafka;

import io.vertx.core.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A {@link RecordSender} that charges every record to an {@link InFlightAccounting} before sending it (refusing it
 * with {@link GatewayOverloadedException} at the hard limit) and is congested at its pause mark.
 */
abstract class AccountedRecordSender implements RecordSender {

    protected final InFlightAccounting accounting;

    AccountedRecordSender(InFlightAccounting accounting) {
        this.accounting = accounting;
    }

    @Override
    public final Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        long size = InFlightAccounting.sizeOf(record);
        GatewayOverloadedException refused = accounting.tryStart(size);
        if (refused != null) {
            return Future.failedFuture(refused);
        }
        return sendCharged(record, size);
    }

    /** Sends a record charged {@code size} bytes; reports its outcome to the accounting exactly once. */
    protected abstract Future<RecordMetadata> sendCharged(ProducerRecord<String, byte[]> record, long size);

    @Override
    public boolean congested() {
        return accounting.congested();
    }

    @Override
    public void whenDecongested(Runnable resumer) {
        accounting.whenDecongested(resumer);
    }
}
