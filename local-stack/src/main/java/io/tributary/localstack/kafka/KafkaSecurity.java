package io.tributary.localstack.kafka;

import io.tributary.contract.Topics;
import io.tributary.localstack.LocalStackException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * A secured local cluster: clients connect with TLS and SASL/SCRAM-SHA-512, one principal per role (gateway,
 * processor, operator) with a password generated at each start; the brokers talk to each other and to the quorum over
 * mutual TLS as {@value #BROKER_DN}, the super user that the local stack's own admin client uses too; the KRaft
 * {@code StandardAuthorizer} allows each role only what {@link #acls} lists. The key pair (EC, self-signed, for
 * 127.0.0.1) is made with the JDK's keytool in the stack's directory: nothing private lives in the repository.
 */
final class KafkaSecurity {
    static final String BROKER_DN = "CN=tributary-broker";
    static final List<String> ROLES = List.of("gateway", "processor", "operator");
    /** The processor's default consumer group, prefix of its other groups, Streams topics and transactional ids. */
    static final String PROCESSOR_PREFIX = "tributary-influx-writer";
    private static final String SCRAM = "SCRAM-SHA-512";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final String storePassword;

    private KafkaSecurity(Path dir, String storePassword) {
        this.dir = dir;
        this.storePassword = storePassword;
    }

    /** Makes the brokers' key pair and certificate in {@code dir}. */
    static KafkaSecurity create(Path dir) {
        KafkaSecurity security = new KafkaSecurity(dir, secret());
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            Files.deleteIfExists(security.keystore());
            Files.deleteIfExists(security.certificate());
        } catch (IOException e) {
            throw new LocalStackException("could not prepare " + dir, e);
        }
        String pass = security.storePassword;
        security.keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", BROKER_DN, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "365",
                "-storetype", "PKCS12", "-keystore", security.keystore().toString(), "-storepass", pass,
                "-keypass", pass);
        security.keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", security.keystore().toString(),
                "-storepass", pass, "-file", security.certificate().toString());
        return security;
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        command.addAll(List.of(args));
        Path log = dir.resolve("keytool.log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new LocalStackException("keytool " + args[0] + " failed: see " + log);
            }
        } catch (IOException e) {
            throw new LocalStackException("could not run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted running keytool", e);
        }
    }

    private Path keystore() {
        return dir.resolve("broker.p12");
    }

    /** The brokers' certificate (PEM): the clients' trust store. */
    Path certificate() {
        return dir.resolve("broker.pem");
    }

    /** Listeners CLIENT (SASL_SSL), INTERNAL (mutual TLS, between brokers) and CONTROLLER (mutual TLS). */
    Map<String, String> brokerOverrides(BrokerProperties.Ports own) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("listeners", "CLIENT://127.0.0.1:" + own.client() + ",INTERNAL://127.0.0.1:" + own.internal()
                + ",CONTROLLER://127.0.0.1:" + own.controller());
        config.put("advertised.listeners", "CLIENT://127.0.0.1:" + own.client() + ",INTERNAL://127.0.0.1:"
                + own.internal());
        config.put("listener.security.protocol.map", "CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL");
        config.put("inter.broker.listener.name", "INTERNAL");
        config.putAll(tls(true));
        config.put("ssl.client.auth", "required");
        config.put("listener.name.client.ssl.client.auth", "none");
        config.put("listener.name.client.sasl.enabled.mechanisms", SCRAM);
        config.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        config.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        config.put("super.users", "User:" + BROKER_DN);
        return config;
    }

    private Map<String, String> tls(boolean withKey) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certificate().toString());
        if (withKey) {
            config.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            config.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystore().toString());
            config.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, storePassword);
            config.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, storePassword);
        }
        return config;
    }

    /** The local stack's own admin client: the brokers' identity (a super user) on the INTERNAL listener. */
    Map<String, Object> adminProperties(String internalBootstrap) {
        Map<String, Object> config = new LinkedHashMap<>(tls(true));
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, internalBootstrap);
        config.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SSL");
        return config;
    }

    /**
     * Sets a new password for each role, grants the roles' ACLs for {@code topics} and writes each role's client
     * properties (and the admin's, {@code admin}) to a file readable only by its owner; returns role → file.
     */
    Map<String, Path> grantRoles(Admin admin, Map<String, Object> adminProperties, String bootstrap, Topics topics) {
        Map<String, Path> files = new LinkedHashMap<>();
        Map<String, Map<String, String>> roles = new LinkedHashMap<>();
        List<UserScramCredentialUpsertion> credentials = new ArrayList<>();
        for (String role : ROLES) {
            String password = secret();
            credentials.add(new UserScramCredentialUpsertion(role, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512,
                    8192), password));
            Map<String, String> config = new LinkedHashMap<>();
            config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
            config.put(SaslConfigs.SASL_MECHANISM, SCRAM);
            config.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule"
                    + " required username=\"" + role + "\" password=\"" + password + "\";");
            config.putAll(tls(false));
            roles.put(role, config);
        }
        KafkaTopics.get("set the roles' SCRAM passwords", () -> admin.alterUserScramCredentials(
                List.copyOf(credentials)).all().get(KafkaTopics.ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        KafkaTopics.get("create the roles' ACLs", () -> admin.createAcls(acls(topics)).all()
                .get(KafkaTopics.ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        roles.forEach((role, config) -> {
            awaitLogin(role, config);
            files.put(role, write(role, config));
        });
        Map<String, String> adminConfig = new LinkedHashMap<>();
        adminProperties.forEach((key, value) -> adminConfig.put(key, value.toString()));
        files.put("admin", write("admin", adminConfig));
        return files;
    }

    /** Who may do what: the roles' ACLs; nothing else is allowed (no ACL = denied). */
    static List<AclBinding> acls(Topics topics) {
        List<String> registry = List.of(topics.devices(), topics.deviceConfig());
        List<String> metadata = List.of(topics.deviceMetadata());
        List<String> processorOutputs = List.of(topics.rollups(), topics.alerts(), topics.deviceHealth());
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, "gateway", ResourceType.TOPIC, PatternType.LITERAL,
                List.of(topics.telemetry(), topics.deviceStatus(), topics.deadLetter()), AclOperation.WRITE);
        allow(acls, "gateway", ResourceType.TOPIC, PatternType.LITERAL, registry, AclOperation.READ);
        allow(acls, "operator", ResourceType.TOPIC, PatternType.LITERAL, registry, AclOperation.READ,
                AclOperation.WRITE, AclOperation.CREATE);
        // Device labels: the operator sets them; the processor enriches readings with them; no secrets in them.
        allow(acls, "operator", ResourceType.TOPIC, PatternType.LITERAL, metadata, AclOperation.READ,
                AclOperation.WRITE, AclOperation.CREATE);
        allow(acls, "gateway", ResourceType.TOPIC, PatternType.LITERAL, metadata, AclOperation.READ);
        allow(acls, "processor", ResourceType.TOPIC, PatternType.LITERAL, metadata, AclOperation.READ);
        allow(acls, "processor", ResourceType.TOPIC, PatternType.LITERAL, List.of(topics.telemetry()),
                AclOperation.READ);
        // The processor dead-letters the records it refuses (the contract re-check, poison points).
        allow(acls, "processor", ResourceType.TOPIC, PatternType.LITERAL, List.of(topics.deadLetter()),
                AclOperation.WRITE);
        allow(acls, "processor", ResourceType.TOPIC, PatternType.LITERAL, processorOutputs, AclOperation.READ,
                AclOperation.WRITE, AclOperation.CREATE);
        // Streams: internal topics and transactional ids start with its application id, the group + "-streams".
        allow(acls, "processor", ResourceType.TOPIC, PatternType.PREFIXED, List.of(PROCESSOR_PREFIX),
                AclOperation.ALL);
        allow(acls, "processor", ResourceType.GROUP, PatternType.PREFIXED, List.of(PROCESSOR_PREFIX),
                AclOperation.READ);
        allow(acls, "processor", ResourceType.TRANSACTIONAL_ID, PatternType.PREFIXED, List.of(PROCESSOR_PREFIX),
                AclOperation.WRITE, AclOperation.DESCRIBE);
        return acls;
    }

    private static void allow(List<AclBinding> acls, String role, ResourceType type, PatternType pattern,
            List<String> names, AclOperation... operations) {
        for (String name : names) {
            for (AclOperation operation : operations) {
                acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                        new AccessControlEntry("User:" + role, "*", operation, AclPermissionType.ALLOW)));
            }
        }
    }

    /** Waits until the brokers know the role's new password (credentials reach them through the metadata log). */
    private static void awaitLogin(String role, Map<String, String> config) {
        Map<String, Object> props = new LinkedHashMap<>(config);
        long deadline = System.nanoTime() + KafkaTopics.ADMIN_TIMEOUT.toNanos();
        while (true) {
            try (Admin admin = Admin.create(props)) {
                KafkaTopics.get("log in as " + role, () -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS));
                return;
            } catch (LocalStackException e) {
                if (!(e.getCause() instanceof SaslAuthenticationException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            KafkaTopics.pause(100);
        }
    }

    private Path write(String role, Map<String, String> config) {
        Path file = dir.resolve(role + ".properties");
        String text = config.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "# Kafka client properties of the local stack's " + role
                        + " role (generated at start)\n", "\n"));
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LocalStackException("could not write " + file, e);
        }
        return file;
    }

    private static String secret() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
