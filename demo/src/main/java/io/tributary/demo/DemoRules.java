package io.tributary.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The demo's alert rules ({@code demo-rules.yaml} in the demo's jar), which the probe and the demo scenario fire. */
public final class DemoRules {

    private static final String RESOURCE = "/demo-rules.yaml";

    private DemoRules() {
    }

    /** Copies the rules to {@code target} (a file the processor re-reads, so it stays editable there). */
    public static Path copyTo(Path target) {
        try (InputStream rules = DemoRules.class.getResourceAsStream(RESOURCE)) {
            if (rules == null) {
                throw new IllegalStateException("demo-rules.yaml missing from the demo's jar");
            }
            Files.copy(rules, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo's alert rules to " + target, e);
        }
    }
}
