package io.tributary.agent.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a secret (the device password) from a file: the only way a secret reaches the agent besides its config file.
 * Never from argv, where every user of the machine can read it in {@code ps}.
 */
public final class SecretFile {

    private static final Logger LOG = LoggerFactory.getLogger(SecretFile.class);
    /** A device secret is a few dozen characters; a bigger file is the wrong file. */
    static final int MAX_BYTES = 4096;

    private SecretFile() {
    }

    /**
     * The file's content without surrounding whitespace (a trailing newline from {@code echo} is not part of the
     * secret); empty means no password. Warns (once, here) when the file is readable by every user.
     *
     * @param key the option or config key that named the file, for the error message
     * @throws ConfigException when the file cannot be read, is too big, is not UTF-8 or holds more than one line
     */
    public static String read(Path file, String key) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(key, "'" + file + "' is not a readable file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException(key, "'" + file + "' is larger than " + MAX_BYTES
                        + " bytes: not a password file");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(key, "cannot read '" + file + "': " + e);
        }
        String secret;
        try {
            secret = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString().strip();
        } catch (CharacterCodingException e) {
            throw new ConfigException(key, "'" + file + "' is not UTF-8 text");
        }
        if (secret.indexOf('\n') >= 0 || secret.indexOf('\r') >= 0) {
            // never quote the content: it is a secret
            throw new ConfigException(key, "'" + file + "' holds more than one line; put only the secret in it");
        }
        warnIfWorldReadable(file, key);
        return secret;
    }

    private static void warnIfWorldReadable(Path file, String key) {
        try {
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("The password file is readable by every user of this machine; make it mode 0640 or 0600 "
                        + "[key: {}, file: {}]", key, file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("Cannot check the permissions of the password file [file: {}]", file, e);
        }
    }
}
