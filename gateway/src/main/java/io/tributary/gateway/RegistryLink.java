package io.tributary.gateway;

import io.tributary.contract.registry.DeviceRecord;
import io.tributary.contract.registry.RegistryListener;
import io.tributary.contract.registry.RegistryTopics;
import io.tributary.gateway.mqtt.MqttGatewayVerticle;
import io.tributary.gateway.registry.DeviceRegistryView;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads the device registry (creating its compacted topics if missing) and passes its changes to the MQTT verticles. */
final class RegistryLink {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private RegistryLink() {
    }

    /**
     * The registry, loaded; a revoked device's connections are closed and a changed configuration is pushed on every
     * verticle in {@code verticles} (which the gateway fills as it deploys them). Blocks: call it off the event loop.
     */
    static DeviceRegistryView start(Vertx vertx, GatewayConfig config, GatewayMetrics metrics,
            List<MqttGatewayVerticle> verticles) {
        Map<String, Object> kafka = config.kafkaClientProperties();
        RegistryTopics topics = RegistryTopics.forPrefix(config.topics().prefix());
        topics.ensureExist(kafka, config.kafkaStartupTimeout().toMillis());
        DeviceRegistryView view = new DeviceRegistryView(vertx, topics, kafka, config.auth().credentialRules(),
                problem -> metrics.registryRecordRefused(problem.code()));
        view.addListener(new RegistryListener() {
            @Override
            public void deviceChanged(String deviceId, Optional<DeviceRecord> device) {
                if (device.isEmpty() || !device.get().enabled()) {
                    String why = device.isEmpty() ? "device removed" : "device disabled";
                    LOG.info("Closing the connections of a revoked device [device: {}, reason: {}]", deviceId, why);
                    verticles.forEach(v -> v.revokeDevice(deviceId, why));
                }
            }

            @Override
            public void configChanged(String deviceId, Optional<byte[]> deviceConfig) {
                deviceConfig.ifPresent(bytes -> verticles.forEach(v -> v.configChanged(deviceId, bytes)));
            }
        });
        try {
            view.start(config.kafkaStartupTimeout());
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
        return view;
    }
}
