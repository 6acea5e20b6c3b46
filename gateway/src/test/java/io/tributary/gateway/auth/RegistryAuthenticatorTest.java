package io.tributary.gateway.auth;

import io.tributary.contract.registry.CredentialRules;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.GatewayMetrics.Level;
import io.tributary.gateway.metrics.MicrometerGatewayMetrics;
import io.tributary.contract.registry.DeviceRecord;
import io.tributary.contract.registry.SecretHasher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegistryAuthenticatorTest {

    private static final String ATTACKER = "203.0.113.9:40000";
    private static final String DEVICE_ADDRESS = "198.51.100.7:50000";

    private final SecretHasher hasher = new SecretHasher(new SecureRandom());
    private final Map<String, DeviceRecord> devices = new ConcurrentHashMap<>();
    private final MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics();
    private RegistryAuthenticator authenticator = authenticator(new AuthSettings(5, 3, Duration.ofMinutes(1),
            Duration.ofMinutes(5), 16_384, 0, 256, Duration.ofSeconds(2), CredentialRules.DEFAULT_MIN_ITERATIONS,
            CredentialRules.DEFAULT_MAX_ITERATIONS, Duration.ofSeconds(30)));

    private RegistryAuthenticator authenticator(AuthSettings settings) {
        return new RegistryAuthenticator(id -> Optional.ofNullable(devices.get(id)), settings, metrics);
    }

    @AfterEach
    void close() {
        authenticator.close();
    }

    private String provision(String id, boolean enabled) {
        String secret = hasher.newSecret();
        devices.put(id, new DeviceRecord(id, enabled, hasher.hash(secret), Instant.now()));
        return secret;
    }

    private static ConnectRequest connect(String user, String password) {
        return connect(user, password, DEVICE_ADDRESS);
    }

    private static ConnectRequest connect(String user, String password, String address) {
        return new ConnectRequest("client", user, password, 5, address, null);
    }

    private static Optional<ConnectRefusal> refusal(Future<DeviceIdentity> result) {
        try {
            result.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            return Optional.of(((ConnectRefusedException) e.getCause()).refusal());
        } catch (Exception e) {
            throw new AssertionError("no answer within 10 s", e);
        }
    }

    private Optional<ConnectRefusal> attempt(String user, String password, String address) {
        return refusal(authenticator.authenticate(connect(user, password, address)));
    }

    @Test
    void acceptsTheRightSecretAsTheDeviceNamedByTheUserName() throws Exception {
        String secret = provision("d-1", true);

        Future<DeviceIdentity> result = authenticator.authenticate(connect("d-1", secret));

        assertThat(result.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).deviceId())
                .isEqualTo("d-1");
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
    }

    @Test
    void anUnknownIdCostsTheSameDerivationAsAWrongSecretAndGetsTheSameAnswer() {
        provision("known", true);
        long derivations = metrics.total(Counted.KEY_DERIVATIONS);

        Optional<ConnectRefusal> wrongSecret = attempt("known", hasher.newSecret(), "10.0.0.1:1");
        long afterKnown = metrics.total(Counted.KEY_DERIVATIONS);
        Optional<ConnectRefusal> unknownId = attempt("unknown", hasher.newSecret(), "10.0.0.2:1");
        long afterUnknown = metrics.total(Counted.KEY_DERIVATIONS);

        assertThat(unknownId).isEqualTo(wrongSecret).contains(ConnectRefusal.BAD_CREDENTIALS);
        assertThat(afterKnown - derivations).as("derivations for a wrong secret").isEqualTo(1);
        assertThat(afterUnknown - afterKnown).as("derivations for an unknown id").isEqualTo(1);
        assertThat(metrics.total(Counted.LOGINS_FAILED)).isEqualTo(2);
    }

    @Test
    void aDisabledDeviceIsToldSoOnlyWithItsRightSecret() {
        String secret = provision("off", false);

        assertThat(attempt("off", hasher.newSecret(), "10.0.0.3:1")).as("wrong secret: no hint that 'off' exists")
                .contains(ConnectRefusal.BAD_CREDENTIALS);
        assertThat(attempt("off", secret, "10.0.0.3:1")).contains(ConnectRefusal.NOT_AUTHORIZED);
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
    void throttlesAnAddressAfterItsFailuresWithoutAnyFurtherDerivation() {
        provision("victim", true);
        for (int i = 0; i < 5; i++) {
            assertThat(attempt(i % 2 == 0 ? "victim" : "ghost-" + i, hasher.newSecret(), ATTACKER))
                    .contains(ConnectRefusal.BAD_CREDENTIALS);
        }
        long derivations = metrics.total(Counted.KEY_DERIVATIONS);

        assertThat(attempt("victim", hasher.newSecret(), ATTACKER)).contains(ConnectRefusal.LOGIN_THROTTLED);
        assertThat(attempt("no-such-device", hasher.newSecret(), ATTACKER)).as("unknown ids alike")
                .contains(ConnectRefusal.LOGIN_THROTTLED);
        assertThat(attempt(null, null, ATTACKER)).contains(ConnectRefusal.BAD_CREDENTIALS);

        assertThat(metrics.total(Counted.KEY_DERIVATIONS)).isEqualTo(derivations);
        assertThat(metrics.total(Counted.LOGINS_THROTTLED_BY_ADDRESS)).isEqualTo(2);
    }

    @Test
    void theAttackedDeviceStillConnectsWithItsRightSecret() {
        String secret = provision("victim", true);
        String cached = provision("neighbour", true);
        assertThat(attempt("neighbour", cached, ATTACKER)).isEmpty(); // verified once: fingerprint remembered
        for (int i = 0; i < 20; i++) {
            attempt("victim", hasher.newSecret(), ATTACKER);
        }
        assertThat(attempt("victim", hasher.newSecret(), ATTACKER)).contains(ConnectRefusal.LOGIN_THROTTLED);

        // From its own address, the attacked id gets its secret checked (the per-id throttle only refuses the
        // addresses that failed on it) ...
        assertThat(attempt("victim", secret, DEVICE_ADDRESS)).isEmpty();
        // ... and once verified, it connects even from the blocked address, at the cost of one SHA-256.
        long derivations = metrics.total(Counted.KEY_DERIVATIONS);
        assertThat(attempt("victim", secret, ATTACKER)).isEmpty();
        assertThat(attempt("neighbour", cached, ATTACKER)).isEmpty();
        assertThat(metrics.total(Counted.KEY_DERIVATIONS)).isEqualTo(derivations);
    }

    @Test
    void aDistributedAttackOnOneIdCostsOneDerivationPerAttackingAddress() {
        provision("victim", true);
        for (int address = 0; address < 3; address++) {
            attempt("victim", hasher.newSecret(), "10.1.0." + address + ":1"); // the id is now under attack
        }
        long derivations = metrics.total(Counted.KEY_DERIVATIONS);

        for (int round = 0; round < 4; round++) {
            for (int address = 0; address < 3; address++) {
                assertThat(attempt("victim", hasher.newSecret(), "10.1.0." + address + ":1"))
                        .contains(ConnectRefusal.LOGIN_THROTTLED);
            }
        }
        assertThat(attempt("victim", hasher.newSecret(), "10.1.0.99:1")).contains(ConnectRefusal.BAD_CREDENTIALS);

        assertThat(metrics.total(Counted.KEY_DERIVATIONS) - derivations).isEqualTo(1);
        assertThat(metrics.total(Counted.LOGINS_THROTTLED_BY_DEVICE)).isEqualTo(12);
    }

    @Test
    void answersServerBusyAtOnceWhenTheDerivationQueueIsFull() throws Exception {
        authenticator.close();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger slowLookups = new AtomicInteger();
        authenticator = new RegistryAuthenticator(id -> {
            // The second lookup of "slow" happens on the derivation thread after its secret matched: hold it there.
            if (id.equals("slow") && slowLookups.incrementAndGet() == 2) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Optional.ofNullable(devices.get(id));
        }, new AuthSettings(30, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), 16_384, 1, 1,
                Duration.ofMinutes(1), CredentialRules.DEFAULT_MIN_ITERATIONS,
                CredentialRules.DEFAULT_MAX_ITERATIONS, Duration.ofSeconds(30)), metrics);
        String slow = provision("slow", true);
        provision("other", true);

        Future<DeviceIdentity> running = authenticator.authenticate(connect("slow", slow));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (slowLookups.get() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        Future<DeviceIdentity> queued = authenticator.authenticate(connect("other", hasher.newSecret()));
        Future<DeviceIdentity> refused = authenticator.authenticate(connect("other", hasher.newSecret()));

        assertThat(refused.isComplete()).as("answered at once").isTrue();
        assertThat(refusal(refused)).contains(ConnectRefusal.SERVER_BUSY);
        assertThat(metrics.total(Counted.LOGINS_BUSY)).isEqualTo(1);
        release.countDown();
        assertThat(refusal(running)).isEmpty();
        assertThat(refusal(queued)).contains(ConnectRefusal.BAD_CREDENTIALS);
        assertThat(metrics.level(Level.KEY_DERIVATIONS_PENDING)).isZero();
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

    @Test
    void aConnectRequestPrintsNoPasswordAndNoRawControlCharacters() {
        String printed = new ConnectRequest("evil\nclient", "user\u001b[2J", "secret-value", 5, "10.0.0.1:1", null)
                .toString();

        assertThat(printed).doesNotContain("secret-value").doesNotContain("\n").doesNotContain("\u001b")
                .contains("evil\\nclient");
    }
}
