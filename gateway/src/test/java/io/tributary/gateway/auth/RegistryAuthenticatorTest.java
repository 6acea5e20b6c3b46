package io.tributary.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.registry.DeviceRecord;
import io.tributary.gateway.registry.SecretHasher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RegistryAuthenticatorTest {

    private final SecretHasher hasher = new SecretHasher(new SecureRandom());
    private final Map<String, DeviceRecord> devices = new ConcurrentHashMap<>();
    private final RegistryAuthenticator authenticator =
            new RegistryAuthenticator(id -> Optional.ofNullable(devices.get(id)));

    private String provision(String id, boolean enabled) {
        String secret = hasher.newSecret();
        devices.put(id, new DeviceRecord(id, enabled, hasher.hash(secret), Instant.now()));
        return secret;
    }

    private static ConnectRequest connect(String user, String password) {
        return new ConnectRequest("client", user, password, 5, "test");
    }

    private static Optional<ConnectRefusal> refusal(Future<DeviceIdentity> result) {
        assertThat(result.isComplete()).isTrue();
        return result.failed() ? Optional.of(((ConnectRefusedException) result.cause()).refusal()) : Optional.empty();
    }

    @Test
    void acceptsTheRightSecretAsTheDeviceNamedByTheUserName() {
        String secret = provision("d-1", true);

        Future<DeviceIdentity> result = authenticator.authenticate(connect("d-1", secret));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.result().deviceId()).isEqualTo("d-1");
    }

    @Test
    void refusesWrongSecretsUnknownDevicesAndMissingCredentialsAlike() {
        String secret = provision("d-2", true);
        String other = provision("d-3", true);

        assertThat(refusal(authenticator.authenticate(connect("d-2", other)))).contains(ConnectRefusal.BAD_CREDENTIALS);
        assertThat(refusal(authenticator.authenticate(connect("nobody", secret))))
                .contains(ConnectRefusal.BAD_CREDENTIALS);
        assertThat(refusal(authenticator.authenticate(connect("d-2", null)))).contains(ConnectRefusal.BAD_CREDENTIALS);
        assertThat(refusal(authenticator.authenticate(connect(null, secret)))).contains(ConnectRefusal.BAD_CREDENTIALS);
        assertThat(refusal(authenticator.authenticate(connect("bad id", secret))))
                .contains(ConnectRefusal.BAD_CREDENTIALS);
    }

    @Test
    void refusesADisabledDeviceEvenWithItsSecretAndAfterItConnectedBefore() {
        String secret = provision("d-4", true);
        assertThat(refusal(authenticator.authenticate(connect("d-4", secret)))).isEmpty();

        devices.computeIfPresent("d-4", (id, record) -> record.withEnabled(false, Instant.now()));

        assertThat(refusal(authenticator.authenticate(connect("d-4", secret)))).contains(ConnectRefusal.NOT_AUTHORIZED);
    }

    @Test
    void forgetsAVerifiedSecretWhenTheCredentialsChange() {
        String old = provision("d-5", true);
        assertThat(refusal(authenticator.authenticate(connect("d-5", old)))).isEmpty();

        String fresh = provision("d-5", true);

        assertThat(refusal(authenticator.authenticate(connect("d-5", old)))).contains(ConnectRefusal.BAD_CREDENTIALS);
        assertThat(refusal(authenticator.authenticate(connect("d-5", fresh)))).isEmpty();
    }

    @Test
    void authenticatesFromAnEventLoopAndAnswersOnIt() throws Exception {
        String secret = provision("d-6", true);
        Vertx vertx = Vertx.vertx();
        try {
            CompletableFuture<String> answeredOn = new CompletableFuture<>();
            vertx.runOnContext(v -> authenticator.authenticate(connect("d-6", secret))
                    .onComplete(r -> answeredOn.complete(r.succeeded() ? Thread.currentThread().getName() : "failed")));

            assertThat(answeredOn.get(10, TimeUnit.SECONDS)).contains("eventloop");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
