package io.tributary.gateway.mqtt;

import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.GatewayMetrics.Level;
import io.tributary.gateway.outbound.TelemetrySink;
import io.vertx.core.Context;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backpressure of one connection: stops reading its socket while the {@link TelemetrySink} is congested (the device's
 * writes then stall in TCP) and resumes on the connection's event loop once the sink has drained. Checked after each
 * publish, so only connections that send get paused (idle ones keep answering PINGREQ), each at most one publish past
 * the pause mark. PUBACKs still go out while paused; packets already read wait in Vert.x's queue of the connection.
 */
final class ReadingPause {

    private static final Logger LOG = LoggerFactory.getLogger(ReadingPause.class);

    private final NetSocket socket;
    private final Context context;
    private final TelemetrySink sink;
    private final GatewayMetrics metrics;
    private final String deviceId;
    private boolean paused;
    private boolean closed;

    ReadingPause(NetSocket socket, Context context, TelemetrySink sink, GatewayMetrics metrics, String deviceId) {
        this.socket = socket;
        this.context = context;
        this.sink = sink;
        this.metrics = metrics;
        this.deviceId = deviceId;
    }

    /** After a publish: pauses reading if the sink is congested. On the connection's loop. */
    void pauseIfCongested() {
        if (paused || closed || !sink.congested()) {
            return;
        }
        paused = true;
        socket.pause();
        metrics.add(Level.CONNECTIONS_PAUSED, 1);
        metrics.count(Counted.READ_PAUSES);
        LOG.debug("Reading paused: Kafka is not keeping up [device: {}]", deviceId);
        sink.whenDecongested(() -> context.runOnContext(v -> resume()));
    }

    private void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        metrics.add(Level.CONNECTIONS_PAUSED, -1);
        if (!closed) {
            socket.resume();
            LOG.debug("Reading resumed [device: {}]", deviceId);
        }
    }

    /** The connection closed: a pause ends with it (the pending resumer then finds nothing to do). */
    void closed() {
        closed = true;
        if (paused) {
            paused = false;
            metrics.add(Level.CONNECTIONS_PAUSED, -1);
        }
    }
}
