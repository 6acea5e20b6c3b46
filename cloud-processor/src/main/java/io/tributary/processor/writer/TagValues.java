package io.tributary.processor.writer;

/** Checks values that become InfluxDB tags (see {@link ReadingPointMapper} for why these rules). */
final class TagValues {

    private TagValues() {
    }

    /** Why {@code value} cannot be the tag {@code name}, or null if it can. */
    static String problem(String name, String value) {
        String problem = ReadingPointMapper.tagProblem(value);
        return problem == null ? null : name + " " + problem;
    }
}
