package io.tributary.processor.alert;

import java.util.regex.Pattern;

/** A shell-style glob over device ids and sensor names: {@code *} any run of characters, {@code ?} one character. */
public record Glob(String pattern, Pattern regex) {

    public static Glob of(String pattern) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return new Glob(pattern, Pattern.compile(re.toString(), Pattern.DOTALL));
    }

    public boolean matches(String value) {
        return regex.matcher(value).matches();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
