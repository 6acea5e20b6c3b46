package io.tributary.gateway.routing;

import io.tributary.contract.registry.DeviceIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PublishRouterTest {

    @Test
    void routesOwnTelemetryTopic() {
        assertThat(PublishRouter.route("dev-1", "devices/dev-1/telemetry"))
                .isEqualTo(new PublishRoute.Telemetry("dev-1"));
    }

    @Test
    void routesOwnStatusTopic() {
        assertThat(PublishRouter.route("dev-1", "devices/dev-1/status")).isEqualTo(new PublishRoute.Status("dev-1"));
    }

    @Test
    void refusesAnotherDevicesTopicAsNotAuthorized() {
        PublishRoute route = PublishRouter.route("dev-1", "devices/dev-2/telemetry");

        assertThat(route).isInstanceOf(PublishRoute.Refused.class);
        assertThat(((PublishRoute.Refused) route).reason()).isEqualTo(RejectReason.NOT_AUTHORIZED);
        assertThat(((PublishRoute.Refused) route).detail()).contains("dev-1", "dev-2");
    }

    @Test
    void refusesOwnTopicsDevicesDoNotPublishTo() {
        assertThat(refusal("dev-1", "devices/dev-1/config")).isEqualTo(RejectReason.TOPIC_NOT_ALLOWED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "telemetry", "devices", "devices/dev-1", "devices/dev-1/telemetry/extra",
        "Devices/dev-1/telemetry", "/devices/dev-1/telemetry", "devices//telemetry", "devices/+/telemetry",
        "devices/#/telemetry", "foo/dev-1/telemetry", "devices/dev 1/telemetry"})
    void refusesTopicsThatAreNotDeviceTopics(String topic) {
        assertThat(refusal("dev-1", topic)).isEqualTo(RejectReason.TOPIC_NOT_ALLOWED);
    }

    @Test
    void refusesNullTopic() {
        assertThat(refusal("dev-1", null)).isEqualTo(RejectReason.TOPIC_NOT_ALLOWED);
    }

    @Test
    void keepsDetailsShortForHugeTopics() {
        String topic = "x".repeat(10_000);

        PublishRoute.Refused refused = (PublishRoute.Refused) PublishRouter.route("dev-1", topic);

        assertThat(refused.detail()).hasSizeLessThan(300);
    }

    @Test
    void buildsDeviceTopics() {
        assertThat(PublishRouter.telemetryTopic("d")).isEqualTo("devices/d/telemetry");
        assertThat(PublishRouter.statusTopic("d")).isEqualTo("devices/d/status");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "sim-0001", "pi.kitchen_2", "urn:dev:42", "x@site"})
    void acceptsDeviceIds(String id) {
        assertThat(DeviceIds.isValid(id)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "a+b", "a#", "a b", "tab\t", "ümlaut"})
    void rejectsDeviceIds(String id) {
        assertThat(DeviceIds.isValid(id)).isFalse();
    }

    @Test
    void rejectsNullAndOverlongDeviceIds() {
        assertThat(DeviceIds.isValid(null)).isFalse();
        assertThat(DeviceIds.isValid("a".repeat(DeviceIds.MAX_LENGTH))).isTrue();
        assertThat(DeviceIds.isValid("a".repeat(DeviceIds.MAX_LENGTH + 1))).isFalse();
    }

    private static RejectReason refusal(String device, String topic) {
        PublishRoute route = PublishRouter.route(device, topic);
        assertThat(route).isInstanceOf(PublishRoute.Refused.class);
        return ((PublishRoute.Refused) route).reason();
    }
}
