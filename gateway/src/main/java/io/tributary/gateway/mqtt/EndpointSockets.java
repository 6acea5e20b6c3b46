package io.tributary.gateway.mqtt;

import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import java.lang.reflect.Field;

/**
 * Reaches the TCP socket under a vertx-mqtt {@link MqttEndpoint}, to pause and resume reading from it.
 *
 * <p>vertx-mqtt 5.0.7's {@code MqttEndpoint} has no pause/resume. Its only implementation,
 * {@code io.vertx.mqtt.impl.MqttEndpointImpl}, keeps the connection's socket in the private field {@code conn}, and
 * the server installs its packet handler on that socket with {@code messageHandler}; for such a socket,
 * {@link NetSocket#pause()} stops handing decoded packets on (at most the few already read wait in Vert.x's queue,
 * which then turns the channel's {@code autoRead} off) and {@link NetSocket#resume()} delivers them and reads on.
 * Reading that private field is the one piece of vertx-mqtt internals the gateway depends on, and it lives only
 * here: {@link #check()} runs at gateway start and stops it with a clear message if a Vert.x upgrade moved it, and
 * {@code EndpointSocketsTest} pauses a real endpoint.
 */
final class EndpointSockets {

    static final String ENDPOINT_CLASS = "io.vertx.mqtt.impl.MqttEndpointImpl";
    static final String SOCKET_FIELD = "conn";

    private static final Field SOCKET;
    private static final String PROBLEM;

    static {
        Field field = null;
        String problem = null;
        try {
            Class<?> endpointClass = Class.forName(ENDPOINT_CLASS, false, MqttEndpoint.class.getClassLoader());
            field = endpointClass.getDeclaredField(SOCKET_FIELD);
            if (!NetSocket.class.isAssignableFrom(field.getType())) {
                problem = ENDPOINT_CLASS + "." + SOCKET_FIELD + " is a " + field.getType().getName()
                        + ", not a NetSocket";
                field = null;
            } else {
                field.setAccessible(true);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            problem = "cannot read " + ENDPOINT_CLASS + "." + SOCKET_FIELD + ": " + e;
            field = null;
        }
        SOCKET = field;
        PROBLEM = problem;
    }

    private EndpointSockets() {
    }

    /**
     * Fails when the socket under an endpoint cannot be reached with this vertx-mqtt version.
     *
     * @throws IllegalStateException naming what is missing and what to do
     */
    static void check() {
        if (PROBLEM != null) {
            throw new IllegalStateException("Backpressure needs the TCP socket under vertx-mqtt's MqttEndpoint, but "
                    + PROBLEM + ". The vertx-mqtt version on the class path is not the one the gateway was built"
                    + " and tested with (5.0.7): adapt io.tributary.gateway.mqtt.EndpointSockets to it");
        }
    }

    /**
     * The socket under {@code endpoint}. Call it on the endpoint's event loop; pause and resume it there.
     *
     * @throws IllegalStateException when {@code endpoint} is not vertx-mqtt's implementation (see {@link #check()})
     */
    static NetSocket socketOf(MqttEndpoint endpoint) {
        check();
        if (!SOCKET.getDeclaringClass().isInstance(endpoint)) {
            throw new IllegalStateException("MqttEndpoint is a " + endpoint.getClass().getName() + ", not "
                    + ENDPOINT_CLASS + ": cannot pause its socket");
        }
        try {
            return (NetSocket) SOCKET.get(endpoint);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + ENDPOINT_CLASS + "." + SOCKET_FIELD, e);
        }
    }
}
