package io.tributary.gateway.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from a YAML file whose keys are the long option names without dashes ({@code mqtt-port: 1883}).
 * Precedence: command-line option, then the option's environment variable, then the file, then the built-in default.
 * Map options (e.g. {@code kafka-property}) are YAML maps and are read with {@link #map(String)}.
 */
public final class YamlDefaults implements IDefaultValueProvider {

    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)");

    private final Path file;
    private final Map<String, Object> values;
    private final Function<String, String> environment;

    private YamlDefaults(Path file, Map<String, Object> values, Function<String, String> environment) {
        this.file = file;
        this.values = values;
        this.environment = environment;
    }

    /** Reads {@code file} and checks every key against {@code spec}'s options; an error names the file and key. */
    public static YamlDefaults load(Path file, CommandSpec spec, Function<String, String> environment) {
        Object root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
        } catch (YAMLException e) {
            throw new IllegalArgumentException("config file " + file + " is not valid YAML: " + e.getMessage());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        if (root != null) {
            if (!(root instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("config file " + file + " must hold a mapping of option names to"
                        + " values");
            }
            Set<String> known = spec.options().stream().map(option -> option.longestName().replaceFirst("^-+", ""))
                    .filter(name -> !List.of("help", "version", "config").contains(name))
                    .collect(Collectors.toCollection(TreeSet::new));
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                if (!known.contains(key)) {
                    throw new IllegalArgumentException("config file " + file + ": unknown key '" + key
                            + "' (known keys: " + String.join(", ", known) + ")");
                }
                Object value = entry.getValue();
                OptionSpec option = spec.findOption("--" + key);
                if (option.isMultiValue() != (value instanceof Map || value instanceof List)) {
                    throw new IllegalArgumentException("config file " + file + ": key '" + key + "' must be "
                            + (option.isMultiValue() ? "a mapping (KEY: VALUE lines)" : "a single value"));
                }
                if (value == null) {
                    throw new IllegalArgumentException("config file " + file + ": key '" + key + "' has no value");
                }
                values.put(key, value);
            }
        }
        return new YamlDefaults(file, values, environment);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option) || option.isMultiValue()) {
            return null;
        }
        String key = option.longestName().replaceFirst("^-+", "");
        Object value = values.get(key);
        if (value == null) {
            return null;
        }
        String annotated = annotatedDefault(option);
        if (annotated != null) {
            Matcher env = ENV_DEFAULT.matcher(annotated);
            if (env.find()) {
                String fromEnvironment = environment.apply(env.group(1));
                if (fromEnvironment != null) {
                    return fromEnvironment; // the environment variable overrides the file
                }
            }
        }
        return String.valueOf(value);
    }

    /** The default as written in the {@code @Option} annotation, variables not yet resolved. */
    private static String annotatedDefault(OptionSpec option) {
        if (option.userObject() instanceof java.lang.reflect.Field field) {
            picocli.CommandLine.Option annotation = field.getAnnotation(picocli.CommandLine.Option.class);
            if (annotation != null) {
                return annotation.defaultValue();
            }
        }
        return option.defaultValue();
    }

    /** A map option's entries from the file (values as strings); empty if absent. */
    public Map<String, String> map(String key) {
        Object value = values.get(key);
        Map<String, String> result = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> result.put(String.valueOf(k), String.valueOf(v)));
        }
        return result;
    }

    public Path file() {
        return file;
    }
}
