package io.tributary.agent.config;

/** A configuration problem: the key (dotted path, e.g. {@code sensors[2].interval}) and what is wrong with it. */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
