package io.tributary.demo.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hand-made MQTT packets the hostile suite sends, byte for byte (OASIS MQTT 5.0 / 3.1.1, section 3). */
class MqttWireTest {

    @Test
    void shouldEncodeAnMqtt5ConnectWithUserPasswordAndEmptyProperties() {
        byte[] packet = MqttWire.connect(MqttWire.LEVEL_5, "d", "d", "pw".getBytes(StandardCharsets.UTF_8), 30);

        assertThat(packet).containsExactly(0x10, 21, 0, 4, 'M', 'Q', 'T', 'T', 5, 0xC2, 0, 30, 0, 0, 1, 'd', 0, 1,
                'd', 0, 2, 'p', 'w');
    }

    @Test
    void shouldLeaveThePropertySectionOutOnMqtt311() {
        byte[] packet = MqttWire.connect(MqttWire.LEVEL_311, "d", null, null, 0);

        assertThat(packet).containsExactly(0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0, 0, 1, 'd');
    }

    @Test
    void shouldEncodeQos1AndQos0PublishesAndLongRemainingLengths() {
        assertThat(MqttWire.publish(true, 1, "t", 7, new byte[] {9})).containsExactly(0x32, 7, 0, 1, 't', 0, 7, 0, 9);
        assertThat(MqttWire.publish(false, 0, "t", 0, new byte[] {9})).containsExactly(0x30, 4, 0, 1, 't', 9);
        byte[] large = MqttWire.publish(false, 0, "t", 0, new byte[200]);
        assertThat(large[1] & 0xFF).as("continuation bit").isEqualTo(0x80 | (203 & 0x7F));
        assertThat(large[2]).isEqualTo((byte) 1);
    }

    @Test
    void shouldEncodeASubscribeOfOneFilterAtQos0() {
        assertThat(MqttWire.subscribe(3, "c")).containsExactly(0x82, 7, 0, 3, 0, 0, 1, 'c', 0);
    }

    @Test
    void shouldReadReasonCodesAndTreatAShortPubackAsSuccess() {
        assertThat(new MqttWire.Packet(MqttWire.CONNACK, 0, new byte[] {0, (byte) 0x9F}).connackCode())
                .isEqualTo(0x9F);
        assertThat(new MqttWire.Packet(MqttWire.PUBACK, 0, new byte[] {0, 5}).pubackCode()).isZero();
        assertThat(new MqttWire.Packet(MqttWire.PUBACK, 0, new byte[] {0, 5, (byte) 0x97}).pubackCode())
                .isEqualTo(0x97);
        assertThat(new MqttWire.Packet(MqttWire.DISCONNECT, 0, new byte[0]).disconnectCode()).isZero();
        assertThat(new MqttWire.Packet(MqttWire.DISCONNECT, 0, new byte[] {(byte) 0x8E}).toString())
                .isEqualTo("DISCONNECT 0x8e");
    }
}
