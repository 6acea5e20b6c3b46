package io.tributary.testing;

/** Tidying up after tests. */
public final class TestResources {

    private TestResources() {
    }

    /**
     * Closes each resource that is not null, in order, also after one failed (a broker left running would slow every
     * later test class); then throws the first failure, a checked one wrapped in an {@link IllegalStateException}.
     */
    public static void closeAll(AutoCloseable... resources) {
        Throwable first = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception | Error e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (first != null) {
            throw new IllegalStateException("closing test resources failed", first);
        }
    }
}
