package io.tributary.localstack.support;

import io.tributary.localstack.LocalStackException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds free TCP ports on the loopback interface for servers that must be told their port up front (Kafka's
 * controller quorum, influxd). The sockets are held until all ports are chosen, so one call never returns the same port
 * twice; another process may still take a port before the caller binds it, so callers that can retry do.
 */
public final class FreePorts {
    private FreePorts() {
    }

    public static List<Integer> loopback(int count) {
        List<ServerSocket> held = new ArrayList<>(count);
        try {
            List<Integer> ports = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                held.add(socket);
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports.add(socket.getLocalPort());
            }
            return List.copyOf(ports);
        } catch (IOException e) {
            throw new LocalStackException("could not find a free loopback port", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the port is reported free either way
                }
            }
        }
    }
}
