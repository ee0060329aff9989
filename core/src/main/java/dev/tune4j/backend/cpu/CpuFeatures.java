package dev.tune4j.backend.cpu;

/**
 * What the CPU backend may use on this JVM, decided once when the class initialises.
 *
 * <p>The Vector API is an incubator module: it is only present when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}. Without it (or with the system property
 * {@code tune4j.vector=false}) every kernel runs as plain Java loops. Classes that mention the
 * Vector API are only ever loaded after this check says yes, so the library runs on a JVM
 * without the module.
 */
public final class CpuFeatures {
    private static final boolean VECTOR = detectVector();

    private CpuFeatures() {}

    /** True when the kernels use the Vector API (SIMD), false when they use scalar loops. */
    public static boolean vectorEnabled() {
        return VECTOR;
    }

    /** The number of threads the CPU kernels split work into; see {@link Parallel}. */
    public static int threads() {
        return Parallel.parallelism();
    }

    private static boolean detectVector() {
        if ("false".equalsIgnoreCase(System.getProperty("tune4j.vector", "true"))) {
            return false;
        }
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }
}
