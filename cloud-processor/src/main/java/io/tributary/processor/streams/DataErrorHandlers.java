package io.tributary.processor.streams;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Streams processing and production exception handler that keeps data from stopping the processor: a record whose
 * processing throws, or an output record Kafka cannot take (too large, unserializable), is skipped with a count and a
 * rate-limited log line, instead of failing the stream thread (which, replaced, would re-process the same record and
 * fail again forever). The telemetry record itself is dead-lettered by the readings writer, which reads the same input;
 * this handler does not dead-letter it a second time.
 *
 * <p>It gets the {@link StreamsListener} through the Streams properties ({@link #LISTENER_CONFIG}), as Streams creates
 * it by class name.
 */
public final class DataErrorHandlers implements ProcessingExceptionHandler, ProductionExceptionHandler {

    /** Streams property holding the {@link StreamsListener} instance the handlers count with. */
    public static final String LISTENER_CONFIG = "tributary.streams.listener";

    private static final Logger log = LoggerFactory.getLogger(DataErrorHandlers.class);
    private static final AtomicLong processingErrors = new AtomicLong();
    private static final AtomicLong productionErrors = new AtomicLong();

    private StreamsListener listener = StreamsListener.NOOP;

    @Override
    public void configure(Map<String, ?> configs) {
        listener = configs.get(LISTENER_CONFIG) instanceof StreamsListener l ? l : StreamsListener.NOOP;
    }

    /** Skips a record (or punctuation) whose processing threw. */
    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record,
            Exception exception) {
        listener.processingError(context.processorNodeId());
        if (shouldLog(processingErrors)) {
            log.warn("Streams processor failed on a record; skipping it [node: {}, topic: {}, partition: {}, "
                    + "offset: {}, occurrences: {}]", context.processorNodeId(), context.topic(),
                    context.partition(), context.offset(), processingErrors.get(), exception);
        }
        return ProcessingExceptionHandler.Response.resume();
    }

    /** Skips an output record Kafka refuses for its content; anything else still fails (and is retried). */
    @Override
    public ProductionExceptionHandler.Response handleError(ErrorHandlerContext context,
            ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (!(exception instanceof RecordTooLargeException || exception instanceof InvalidRecordException)) {
            return ProductionExceptionHandler.Response.fail();
        }
        return skip(record.topic(), context, exception);
    }

    @Override
    public ProductionExceptionHandler.Response handleSerializationError(ErrorHandlerContext context,
            ProducerRecord record, Exception exception, SerializationExceptionOrigin origin) {
        return skip(record.topic(), context, exception);
    }

    private ProductionExceptionHandler.Response skip(String topic, ErrorHandlerContext context, Exception exception) {
        listener.productionError(topic);
        if (shouldLog(productionErrors)) {
            log.warn("Streams output record refused by Kafka; skipping it [topic: {}, node: {}, occurrences: {}]"
                    + ": {}", topic, context.processorNodeId(), productionErrors.get(), exception.toString());
        }
        return ProductionExceptionHandler.Response.resume();
    }

    /** Logs the 1st, 2nd, 4th, 8th, ... occurrence: a flood of bad records cannot fill the log. */
    private static boolean shouldLog(AtomicLong counter) {
        long n = counter.incrementAndGet();
        return (n & (n - 1)) == 0;
    }
}
