package io.tributary.demo;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * What the demo jar's commands ({@code ./tributary demo}, {@code bench}, {@code bench hostile}) share: their log goes
 * to a file, never the terminal, and a bad option or a failure to start is one clear line on stderr, never a stack
 * trace (that goes to the log): exit status 2 for a usage error, 1 for a failure.
 */
public final class Cli {

    /** Exit status of a usage error: a bad option, a bad value, options that contradict each other. */
    public static final int USAGE = 2;
    /** Exit status when the command could not do its work (cannot start, a part failed). */
    public static final int FAILED = 1;

    private Cli() {
    }

    /** Logs with {@code config} (a logback file on the classpath) unless one is configured; call before any logger. */
    public static void logWith(String config) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", config);
        }
    }

    /**
     * Runs a bench command and exits: plots drawn headless, the log (logback's {@code bench-logback.xml}) in
     * {@code log} under the output directory ({@code --out DIR} or {@code --out=DIR}, else the option's default),
     * set before the first logger exists, so stdout shows progress only.
     */
    public static void benchMain(String name, Object command, String[] args, String log) {
        System.setProperty("java.awt.headless", "true");
        logWith("bench-logback.xml");
        String out = new CommandLine(command).getCommandSpec().findOption("--out").defaultValue();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = args[i + 1];
            } else if (args[i].startsWith("--out=")) {
                out = args[i].substring("--out=".length());
            }
        }
        System.setProperty("tributary.bench.log", Path.of(out).resolve(log).toString());
        System.exit(execute(name, command, args));
    }

    /**
     * Runs {@code command} on {@code args} and returns its exit status. A command reports an option value its config
     * refuses by throwing {@link #usage}'s exception.
     */
    public static int execute(String name, Object command, String[] args) {
        return new CommandLine(command)
                .setParameterExceptionHandler((e, parsed) -> {
                    e.getCommandLine().getErr().println(name + ": " + e.getMessage() + " (see --help)");
                    return USAGE;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // The stack trace to the log file only: the terminal logger shows WARN and above.
                    Logger log = LoggerFactory.getLogger(Cli.class);
                    log.info("{} failed", name, e);
                    cmd.getErr().println(name + ": failed: " + describe(e));
                    return FAILED;
                })
                .execute(args);
    }

    /** A usage error of {@code command}: an option value that it refuses. */
    public static CommandLine.ParameterException usage(Object command, String message) {
        return new CommandLine.ParameterException(new CommandLine(command), message);
    }

    /** What {@code build} returns; a value it refuses ({@link IllegalArgumentException}) is a usage error. */
    public static <T> T valid(Object command, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw usage(command, e.getMessage());
        }
    }

    /** The exception's message, or its type when it has none, and the root cause's when it differs. */
    static String describe(Throwable e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && !text.contains(root.getMessage())) {
            text += " (" + root.getMessage() + ")";
        }
        return text;
    }
}
