package io.tributary.simulator.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqttCodecTest {

    @Test
    void shouldEncodeAnMqtt5ConnectWithCleanStartUserAndPassword() {
        Buffer connect = MqttCodec.connect("d1", "d1", "pw".getBytes(StandardCharsets.UTF_8), 60);

        assertThat(HexFormat.of().formatHex(connect.getBytes())).isEqualTo(
                "10" + "17"                   // CONNECT, remaining length 23
                        + "00044d515454" + "05" // "MQTT", protocol level 5
                        + "c2" + "003c" + "00"  // user+password+clean start, keep alive 60, no properties
                        + "00026431"            // client id "d1"
                        + "00026431"            // user name "d1"
                        + "00027077");          // password "pw"
    }

    @Test
    void shouldEncodeAQos1PublishWithItsPacketId() {
        Buffer publish = MqttCodec.publishQos1("a/b".getBytes(StandardCharsets.UTF_8), 7, new byte[] {1, 2});

        assertThat(HexFormat.of().formatHex(publish.getBytes())).isEqualTo("32" + "0a" + "0003612f62" + "0007" + "00"
                + "0102");
    }

    @Test
    void shouldSizeAPublishWhoseRemainingLengthTakesTwoBytes() {
        byte[] payload = new byte[200];
        payload[199] = 0x55;
        Buffer publish = MqttCodec.publishQos1("a/b".getBytes(StandardCharsets.UTF_8), 65_535, payload);

        String hex = HexFormat.of().formatHex(publish.getBytes());
        assertThat(hex).startsWith("32" + "d001" + "0003612f62" + "ffff" + "00").endsWith("55");
        assertThat(publish.length()).isEqualTo(1 + 2 + 208);
    }

    @Test
    void shouldEncodeRemainingLengthsOverSeveralBytes() {
        Buffer out = Buffer.buffer();
        MqttCodec.writeVarInt(out, 321);

        assertThat(HexFormat.of().formatHex(out.getBytes())).isEqualTo("c102");
    }

    @Test
    void shouldSplitAStreamIntoPacketsWhateverTheChunking() {
        // A PUBACK with reason 0x99, a PUBACK without reason (success), a CONNACK, delivered one byte at a time
        byte[] stream = HexFormat.of().parseHex("4003002a99" + "4002002b" + "2003000000");
        List<MqttCodec.Packet> packets = new ArrayList<>();
        MqttCodec.Decoder decoder = new MqttCodec.Decoder();
        for (byte b : stream) {
            decoder.feed(Buffer.buffer(new byte[] {b}), packets::add);
        }

        assertThat(packets).hasSize(3);
        assertThat(packets.get(0).type()).isEqualTo(MqttCodec.PUBACK);
        assertThat(packets.get(0).packetId()).isEqualTo(42);
        assertThat(packets.get(0).pubackReasonCode()).isEqualTo(0x99);
        assertThat(packets.get(1).pubackReasonCode()).isZero();
        assertThat(packets.get(2).type()).isEqualTo(MqttCodec.CONNACK);
        assertThat(packets.get(2).connackReasonCode()).isZero();
    }

    @Test
    void shouldRefuseAnImpossibleRemainingLength() {
        MqttCodec.Decoder decoder = new MqttCodec.Decoder();

        assertThatThrownBy(() -> decoder.feed(Buffer.buffer(HexFormat.of().parseHex("40ffffffff01")), p -> { }))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReadThePubackReasonStringAndSurviveMalformedProperties() {
        // PUBACK id 7, 0x99, properties: user property ("k","v"), reason string "bad time"
        String reason = HexFormat.of().formatHex("bad time".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String props = "26" + "0001" + "6b" + "0001" + "76" + "1f" + "0008" + reason;
        String body = "0007" + "99" + String.format("%02x", props.length() / 2) + props;
        List<MqttCodec.Packet> packets = new ArrayList<>();
        new MqttCodec.Decoder().feed(Buffer.buffer(HexFormat.of().parseHex(
                "40" + String.format("%02x", body.length() / 2) + body)), packets::add);
        assertThat(packets.get(0).pubackReasonCode()).isEqualTo(0x99);
        assertThat(packets.get(0).pubackReasonString()).isEqualTo("bad time");

        List<MqttCodec.Packet> odd = new ArrayList<>();
        // a reason string longer than the packet, an unknown property, and no properties at all
        new MqttCodec.Decoder().feed(Buffer.buffer(HexFormat.of().parseHex(
                "4008" + "0008" + "97" + "04" + "1f" + "00ff" + "41"
                        + "4006" + "0009" + "80" + "02" + "0101"
                        + "4003" + "000a" + "97")), odd::add);
        assertThat(odd).hasSize(3);
        assertThat(odd.get(0).pubackReasonString()).isNull();
        assertThat(odd.get(1).pubackReasonString()).isNull();
        assertThat(odd.get(2).pubackReasonString()).isNull();
        assertThat(odd.get(2).pubackReasonCode()).isEqualTo(0x97);
    }
}
