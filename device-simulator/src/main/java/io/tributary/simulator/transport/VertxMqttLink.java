package io.tributary.simulator.transport;

import io.tributary.mqtt.PubAck;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's MQTT 5 session over a Vert.x socket. All state is touched on one event loop (the connection's
 * context); callers on other threads hop onto it.
 */
final class VertxMqttLink implements DeviceLink {

    private static final Logger LOG = LoggerFactory.getLogger(VertxMqttLink.class);

    private final VertxMqttTransport transport;
    private final String deviceId;
    private final byte[] password;
    private final Context context;
    private final AtomicReference<Runnable> lostListener = new AtomicReference<>(() -> { });

    // Event-loop state
    private final Map<Integer, CompletableFuture<PubAck>> inFlight = new HashMap<>();
    private final MqttCodec.Decoder decoder = new MqttCodec.Decoder();
    private NetSocket socket;
    private CompletableFuture<Void> connecting;
    private boolean connected;
    private boolean closed;
    private int nextPacketId = 1;
    /** The topic of the last PUBLISH and its UTF-8 bytes: a device publishes to the same topic again and again. */
    private String lastTopic;
    private byte[] lastTopicUtf8;
    private long pingTimer = -1;

    VertxMqttLink(VertxMqttTransport transport, String deviceId, byte[] password) {
        this.transport = transport;
        this.deviceId = deviceId;
        this.password = password;
        this.context = transport.vertx.getOrCreateContext();
    }

    @Override
    public CompletionStage<Void> connect() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        context.runOnContext(ignored -> startConnect(result));
        return result;
    }

    private void startConnect(CompletableFuture<Void> result) {
        if (closed) {
            result.completeExceptionally(new IllegalStateException("connection closed"));
            return;
        }
        if (socket != null) {
            result.completeExceptionally(new IllegalStateException("already connected or connecting"));
            return;
        }
        connecting = result;
        transport.client.connect(transport.port, transport.host).onComplete(attempt -> {
            if (attempt.failed()) {
                connecting = null;
                result.completeExceptionally(attempt.cause());
                return;
            }
            socket = attempt.result();
            socket.handler(this::received);
            socket.closeHandler(ignored -> socketClosed());
            socket.exceptionHandler(error -> LOG.debug("Socket error [device: {}]", deviceId, error));
            socket.write(MqttCodec.connect(deviceId, deviceId, password, VertxMqttTransport.KEEP_ALIVE_SECONDS))
                    .onFailure(error -> socket.close());
        });
    }

    @Override
    public CompletionStage<PubAck> publish(String topic, byte[] payload) {
        CompletableFuture<PubAck> result = new CompletableFuture<>();
        context.runOnContext(ignored -> startPublish(topic, payload, result));
        return result;
    }

    private void startPublish(String topic, byte[] payload, CompletableFuture<PubAck> result) {
        if (!connected) {
            result.completeExceptionally(new IllegalStateException("not connected"));
            return;
        }
        int packetId = nextFreePacketId();
        if (packetId < 0) {
            result.completeExceptionally(new IllegalStateException("65535 publishes in flight"));
            return;
        }
        inFlight.put(packetId, result);
        if (!topic.equals(lastTopic)) {
            lastTopicUtf8 = topic.getBytes(StandardCharsets.UTF_8);
            lastTopic = topic;
        }
        socket.write(MqttCodec.publishQos1(lastTopicUtf8, packetId, payload)).onFailure(error -> {
            CompletableFuture<PubAck> pending = inFlight.remove(packetId);
            if (pending != null) {
                pending.completeExceptionally(error);
            }
        });
    }

    private void received(Buffer bytes) {
        try {
            decoder.feed(bytes, this::handle);
        } catch (RuntimeException e) {
            LOG.debug("Unreadable data from the server, closing [device: {}]", deviceId, e);
            socket.close();
        }
    }

    private void handle(MqttCodec.Packet packet) {
        switch (packet.type()) {
            case MqttCodec.CONNACK -> connackReceived(packet.connackReasonCode());
            case MqttCodec.PUBACK -> {
                CompletableFuture<PubAck> pending = inFlight.remove(packet.packetId());
                if (pending != null) {
                    int code = packet.pubackReasonCode();
                    pending.complete(code == 0 ? PubAck.SUCCESS : new PubAck(code, packet.pubackReasonString()));
                }
            }
            case MqttCodec.DISCONNECT -> {
                LOG.debug("Server disconnected [device: {}, reason: 0x{}]", deviceId,
                        Integer.toHexString(packet.disconnectReasonCode()));
                socket.close();
            }
            case MqttCodec.PINGRESP -> { }
            default -> LOG.debug("Ignoring packet [device: {}, type: {}]", deviceId, packet.type());
        }
    }

    private void connackReceived(int reasonCode) {
        CompletableFuture<Void> result = connecting;
        connecting = null;
        if (reasonCode != 0) {
            socket.close();
            if (result != null) {
                result.completeExceptionally(new IllegalStateException(
                        String.format("CONNACK refused the session: reason 0x%02x", reasonCode)));
            }
            return;
        }
        connected = true;
        long intervalMs = Math.max(1_000, VertxMqttTransport.KEEP_ALIVE_SECONDS * 1000L / 2);
        pingTimer = transport.vertx.setPeriodic(intervalMs, id -> {
            if (socket != null) {
                socket.write(MqttCodec.pingReq());
            }
        });
        if (result != null) {
            result.complete(null);
        }
    }

    private void socketClosed() {
        boolean wasConnected = connected;
        connected = false;
        socket = null;
        if (pingTimer >= 0) {
            transport.vertx.cancelTimer(pingTimer);
            pingTimer = -1;
        }
        if (connecting != null) {
            connecting.completeExceptionally(new IllegalStateException("connection closed before CONNACK"));
            connecting = null;
        }
        IllegalStateException lost = new IllegalStateException("connection lost");
        inFlight.values().forEach(pending -> pending.completeExceptionally(lost));
        inFlight.clear();
        if (wasConnected && !closed) {
            lostListener.get().run();
        }
    }

    private int nextFreePacketId() {
        for (int tries = 0; tries < 65_535; tries++) {
            int candidate = nextPacketId;
            nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
            if (!inFlight.containsKey(candidate)) {
                return candidate;
            }
        }
        return -1;
    }

    @Override
    public void onConnectionLost(Runnable listener) {
        lostListener.set(listener);
    }

    @Override
    public void drop() {
        context.runOnContext(ignored -> {
            if (socket != null) {
                socket.close();
            }
        });
    }

    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            closed = true;
            if (socket == null) {
                done.complete(null);
                return;
            }
            NetSocket open = socket;
            open.write(MqttCodec.disconnect()).onComplete(written -> open.close().onComplete(c -> done.complete(null)));
        });
        try {
            done.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("Clean disconnect did not finish in time [device: {}]", deviceId);
        }
    }
}
