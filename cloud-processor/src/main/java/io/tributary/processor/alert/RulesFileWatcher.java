package io.tributary.processor.alert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current alert rules and reloads them when the rules file's content changes (read every
 * {@code checkInterval}; works on every file system, unlike inotify-based watching over NFS or ConfigMap symlink
 * swaps). An invalid file is rejected with a log message naming the problem and the previous rules
 * stay in force.
 */
public final class RulesFileWatcher implements Supplier<RuleSet>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RulesFileWatcher.class);

    private final Path file;
    private final RulesParser parser = new RulesParser();
    private final AtomicReference<RuleSet> current = new AtomicReference<>(RuleSet.EMPTY);
    private final ScheduledExecutorService scheduler;
    private volatile String lastText;
    private volatile String lastError;

    /**
     * Loads the file once (it must exist and be valid: a processor should not start with rules it cannot read) and
     * starts checking it.
     *
     * @throws RulesParser.InvalidRulesException if the file is invalid
     * @throws IOException if it cannot be read
     */
    public RulesFileWatcher(Path file, Duration checkInterval) throws IOException, RulesParser.InvalidRulesException {
        this.file = Objects.requireNonNull(file, "file");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        current.set(parser.parse(text));
        lastText = text;
        log.info("Alert rules loaded [file: {}, rules: {}]", file, current.get());
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tributary-rules-watcher");
            t.setDaemon(true);
            return t;
        });
        long ms = checkInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public RuleSet get() {
        return current.get();
    }

    /** Checks the file now; returns true if new rules were taken. Also called by the scheduler. */
    public boolean check() {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (text.equals(lastText)) {
                return false;
            }
            lastText = text;
            RuleSet rules = parser.parse(text);
            current.set(rules);
            lastError = null;
            log.info("Alert rules reloaded [file: {}, rules: {}]", file, rules);
            return true;
        } catch (RulesParser.InvalidRulesException e) {
            reportOnce("Alert rules file rejected, the previous rules stay in force [file: " + file + "]: "
                    + e.getMessage());
        } catch (NoSuchFileException e) {
            reportOnce("Alert rules file missing, the previous rules stay in force [file: " + file + "]");
        } catch (IOException | RuntimeException e) {
            reportOnce("Alert rules file unreadable, the previous rules stay in force [file: " + file + "]: " + e);
        }
        return false;
    }

    /** The problem with the file on disk, if the last check rejected it. */
    public java.util.Optional<String> lastError() {
        return java.util.Optional.ofNullable(lastError);
    }

    private void reportOnce(String message) {
        if (!message.equals(lastError)) {
            lastError = message;
            log.error(message);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
