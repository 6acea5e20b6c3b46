package io.tributary.gateway.validation;

import com.google.protobuf.UnsafeByteOperations;
import io.tributary.contract.InputContract;
import io.tributary.contract.SensorCardinality;

/**
 * Proves a telemetry payload valid by walking its protobuf wire format, without building the {@code ReadingBatch}.
 *
 * <p>Parsing a batch to check it made a {@code String} per sensor and unit, and builders and readings besides: a third
 * of the gateway's garbage, for a batch it only forwards as bytes. The walk checks what the parse would: every tag,
 * varint and length well formed and in bounds, strings valid UTF-8 (proto3 requires it), the batch's device id equal to
 * the topic's, at least one reading and each reading keeping the {@link InputContract} (readings per batch, sensor
 * name, unit, a finite value, an event time within the window of the clock read once per batch), and every sensor one
 * its device is already known to use ({@link SensorCardinality}). As in the parse, a field repeated on the wire counts
 * with its last occurrence, and unknown fields are skipped. It allocates nothing but itself: the contract's checks
 * work on the payload's bytes, a value's finiteness is a test of its exponent bits.
 *
 * <p>It only ever proves: anything unusual (a group, a non-ASCII or mismatched device id, a malformed field) answers
 * {@code null}, and the caller then parses the payload in full, which decides and explains (a contract violation or a
 * new sensor included: new sensors are rare, admitting them takes the parse). So this may reject a
 * valid payload to the slow path, but must never accept one the parse would refuse; a differential test holds it to
 * that.
 */
final class BatchWireScan {

    /** A proven-valid batch: how many readings it holds and the dropped-readings count it reports. */
    record Proven(int readings, long droppedReadings) {
    }

    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LENGTH_DELIMITED = 2;
    private static final int WIRE_FIXED32 = 5;

    // ReadingBatch tags (field number << 3 | wire type)
    private static final int BATCH_DEVICE_ID = 1 << 3 | WIRE_LENGTH_DELIMITED;
    private static final int BATCH_READINGS = 4 << 3 | WIRE_LENGTH_DELIMITED;
    private static final int BATCH_DROPPED_READINGS = 5 << 3 | WIRE_VARINT;
    // Reading tags
    private static final int READING_SENSOR = 1 << 3 | WIRE_LENGTH_DELIMITED;
    private static final int READING_VALUE = 2 << 3 | WIRE_FIXED64;
    private static final int READING_UNIT = 3 << 3 | WIRE_LENGTH_DELIMITED;
    private static final int READING_EVENT_TIME = 4 << 3 | WIRE_VARINT;

    /** Signals a payload the walk does not prove; never escapes this class. */
    private static final int NOT_PROVEN = -1;

    private final byte[] in;
    private final InputContract contract;
    private final long earliestEventTime;
    private final long latestEventTime;
    private final SensorCardinality.KnownSensors knownSensors;
    private int pos;
    /** The last varint read: kept in a field so that reading one allocates nothing. */
    private long varint;

    private BatchWireScan(byte[] in, InputContract contract, long earliestEventTime, long latestEventTime,
            SensorCardinality.KnownSensors knownSensors) {
        this.in = in;
        this.contract = contract;
        this.earliestEventTime = earliestEventTime;
        this.latestEventTime = latestEventTime;
        this.knownSensors = knownSensors;
    }

    /**
     * @param knownSensors the sensors the device is known to use; a reading of another one is left to the parse
     * @return the batch's counts if the payload is proven valid, {@code null} if only a full parse can tell
     */
    static Proven prove(byte[] payload, String topicDeviceId, InputContract contract, long nowUnixNanos,
            SensorCardinality.KnownSensors knownSensors) {
        return new BatchWireScan(payload, contract, contract.earliestEventTime(nowUnixNanos),
                contract.latestEventTime(nowUnixNanos), knownSensors).batch(topicDeviceId);
    }

    private Proven batch(String topicDeviceId) {
        boolean deviceMatches = false;
        int readings = 0;
        long dropped = 0;
        int end = in.length;
        while (pos < end) {
            int tag = tag(end);
            if (tag == NOT_PROVEN) {
                return null;
            }
            if (tag == BATCH_DEVICE_ID) {
                int length = length(end);
                // every occurrence must be UTF-8, also one that a later occurrence replaces
                if (length == NOT_PROVEN || !validUtf8(pos, length)) {
                    return null;
                }
                deviceMatches = asciiEquals(pos, length, topicDeviceId);
                pos += length;
            } else if (tag == BATCH_READINGS) {
                int length = length(end);
                if (length == NOT_PROVEN || !reading(pos + length)) {
                    return null;
                }
                if (++readings > contract.maxReadingsPerBatch()) {
                    return null;
                }
            } else if (tag == BATCH_DROPPED_READINGS) {
                if (!varint(end)) {
                    return null;
                }
                dropped = varint;
            } else if (!skip(tag, end)) {
                return null;
            }
        }
        return deviceMatches && readings > 0 ? new Proven(readings, dropped) : null;
    }

    /** Walks one {@code Reading} ending at {@code end}; true if it is well formed and keeps the contract. */
    private boolean reading(int end) {
        int sensorOffset = 0;
        int sensorLength = 0;
        boolean sensorKept = false; // an empty sensor name breaks the contract
        boolean unitKept = true; // an empty unit keeps it
        boolean valueFinite = true; // an absent value is 0
        long eventTime = 0;
        while (pos < end) {
            int tag = tag(end);
            if (tag == NOT_PROVEN) {
                return false;
            }
            if (tag == READING_SENSOR || tag == READING_UNIT) {
                int length = length(end);
                if (length == NOT_PROVEN) {
                    return false;
                }
                // one pass over the bytes: what keeps the contract is valid UTF-8 (sensor names are ASCII, units
                // are decoded strictly); only what does not needs the UTF-8 check, as every occurrence must pass it
                boolean kept = tag == READING_SENSOR ? contract.checkSensorName(in, pos, length) == null
                        : contract.checkUnit(in, pos, length) == null;
                if (!kept && !validUtf8(pos, length)) {
                    return false;
                }
                if (tag == READING_SENSOR) {
                    sensorOffset = pos;
                    sensorLength = length;
                    sensorKept = kept;
                } else {
                    unitKept = kept;
                }
                pos += length;
            } else if (tag == READING_VALUE) {
                if (8 > end - pos) {
                    return false;
                }
                // little-endian: the sign and exponent are in the last two bytes; NaN and ±Infinity have every
                // exponent bit set
                valueFinite = InputContract.isFiniteBits((long) ((in[pos + 7] & 0xff) << 8 | (in[pos + 6] & 0xff))
                        << 48);
                pos += 8;
            } else if (tag == READING_EVENT_TIME) {
                if (!varint(end)) {
                    return false;
                }
                eventTime = varint;
            } else if (!skip(tag, end)) {
                return false;
            }
        }
        // int64 event time: a varint with the top bit set is negative, which the contract refuses
        return pos == end
                && sensorKept
                && unitKept
                && valueFinite
                && contract.checkEventTime(eventTime, earliestEventTime, latestEventTime) == null
                && knownSensors.contains(in, sensorOffset, sensorLength);
    }

    /** Skips an unknown field (or a known one this walk need not look into, such as the value). */
    private boolean skip(int tag, int end) {
        switch (tag & 7) {
            case WIRE_VARINT:
                return varint(end);
            case WIRE_FIXED64:
                return advance(8, end);
            case WIRE_LENGTH_DELIMITED: {
                int length = length(end);
                return length != NOT_PROVEN && advance(length, end);
            }
            case WIRE_FIXED32:
                return advance(4, end);
            default:
                return false; // groups (deprecated, rare) and invalid wire types: the parse decides
        }
    }

    private boolean advance(int bytes, int end) {
        if (bytes > end - pos) {
            return false;
        }
        pos += bytes;
        return true;
    }

    /** A tag with a non-zero field number, or {@code NOT_PROVEN}. */
    private int tag(int end) {
        if (!varint(end) || (varint >>> 32) != 0 || (varint >>> 3) == 0) {
            return NOT_PROVEN;
        }
        return (int) varint;
    }

    /** The length prefix of a length-delimited field, within {@code end}, or {@code NOT_PROVEN}. */
    private int length(int end) {
        if (!varint(end) || varint < 0 || varint > end - pos) {
            return NOT_PROVEN;
        }
        return (int) varint;
    }

    /** Reads a varint of at most 10 bytes that ends before {@code end} into {@link #varint}. */
    private boolean varint(int end) {
        long value = 0;
        for (int shift = 0; shift < 64 && pos < end; shift += 7) {
            byte b = in[pos++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                varint = value;
                return true;
            }
        }
        return false;
    }

    private boolean asciiEquals(int offset, int length, String expected) {
        if (length != expected.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = expected.charAt(i);
            if (c >= 0x80 || in[offset + i] != (byte) c) {
                return false;
            }
        }
        return true;
    }

    private boolean validUtf8(int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (in[i] < 0) {
                return UnsafeByteOperations.unsafeWrap(in, offset, length).isValidUtf8();
            }
        }
        return true;
    }
}
