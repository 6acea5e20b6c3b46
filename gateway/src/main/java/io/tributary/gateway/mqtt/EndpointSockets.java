package io.tributary.gateway.mqtt;

import io.netty.channel.Channel;
import io.vertx.core.Handler;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.UnaryOperator;

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

    static final String SERVER_CLASS = "io.vertx.mqtt.impl.MqttServerImpl";
    static final String SERVER_FIELD = "server";
    static final String DECODER_NAME = "mqttDecoder";
    /** The name of vertx-mqtt's CONNECT (idle) timeout handler, removed by vertx-mqtt when CONNECT arrives. */
    static final String CONNECT_TIMEOUT_NAME = "timeoutOnConnect";
    /** The name of the idle-state handler behind vertx-mqtt's CONNECT timeout, also removed at CONNECT. */
    static final String IDLE_NAME = "idle";

    private static final Field SOCKET;
    private static final Field SERVER;
    private static final String PROBLEM;

    static {
        String[] problem = new String[1];
        SOCKET = field(ENDPOINT_CLASS, SOCKET_FIELD, MqttEndpoint.class, NetSocket.class, false, problem);
        // written (with a stand-in): its type must be NetServer exactly
        SERVER = problem[0] != null ? null
                : field(SERVER_CLASS, SERVER_FIELD, MqttServer.class, NetServer.class, true, problem);
        PROBLEM = problem[0];
    }

    /** The accessible field {@code className.name} of {@code type} (or a subtype); else null and the problem. */
    private static Field field(String className, String name, Class<?> api, Class<?> type, boolean exact,
            String[] problem) {
        try {
            Field field = Class.forName(className, false, api.getClassLoader()).getDeclaredField(name);
            if (exact ? field.getType() != type : !type.isAssignableFrom(field.getType())) {
                problem[0] = className + "." + name + " is a " + field.getType().getName() + ", not a "
                        + type.getSimpleName();
                return null;
            }
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            problem[0] = "cannot read " + className + "." + name + ": " + e;
            return null;
        }
    }

    private EndpointSockets() {
    }

    /** Fails, naming what is missing and what to do, when this vertx-mqtt version hides the endpoint's socket. */
    static void check() {
        if (PROBLEM != null) {
            throw new IllegalStateException("Backpressure and connection guards need vertx-mqtt internals, but "
                    + PROBLEM + ". The vertx-mqtt version on the class path is not the one the gateway was built"
                    + " and tested with (5.0.7): adapt io.tributary.gateway.mqtt.EndpointSockets to it");
        }
    }

    /** The socket under {@code endpoint}; call it, pause and resume it on the endpoint's event loop. */
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

    static Channel channelOf(NetSocket socket) {
        if (!(socket instanceof NetSocketInternal internal)) {
            throw new IllegalStateException("NetSocket is a " + socket.getClass().getName() + ", not a "
                    + NetSocketInternal.class.getName());
        }
        return internal.channelHandlerContext().channel();
    }

    /** Makes {@code server} hand each new TCP connection to {@code wrap.apply(its own handler)}; before listen. */
    static void interceptConnections(MqttServer server, UnaryOperator<Handler<NetSocket>> wrap) {
        check();
        if (!SERVER.getDeclaringClass().isInstance(server)) {
            throw new IllegalStateException("MqttServer is a " + server.getClass().getName() + ", not "
                    + SERVER_CLASS + ": cannot guard its connections");
        }
        try {
            NetServer real = (NetServer) SERVER.get(server);
            NetServer standIn = (NetServer) Proxy.newProxyInstance(EndpointSockets.class.getClassLoader(),
                    new Class<?>[] {NetServer.class}, (proxy, method, args) -> {
                        if (method.getName().equals("connectHandler") && args != null && args.length == 1) {
                            @SuppressWarnings("unchecked")
                            Handler<NetSocket> handler = (Handler<NetSocket>) args[0];
                            real.connectHandler(wrap.apply(handler));
                            return proxy;
                        }
                        if (method.getDeclaringClass() == Object.class) {
                            switch (method.getName()) {
                                case "equals":
                                    return proxy == args[0];
                                case "hashCode":
                                    return System.identityHashCode(proxy);
                                case "toString":
                                    return "guarded " + real;
                                default:
                                    break;
                            }
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            SERVER.set(server, standIn);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot replace " + SERVER_CLASS + "." + SERVER_FIELD, e);
        }
    }
}
