package dev.tune4j.examples.support;

import dev.tune4j.models.CausalLM;
import dev.tune4j.nn.Parameter;
import java.util.Locale;

/** Memory figures the examples print: bytes held by a model's weights, and the JVM heap in use. */
public final class Memory {
    private Memory() {}

    /** Bytes of all parameter tensors of {@code model}, at their stored dtype. */
    public static long weightBytes(CausalLM model) {
        long total = 0;
        for (Parameter p : model.module().namedParameters().values()) {
            total += p.value().numel() * p.value().dtype().byteSize();
        }
        return total;
    }

    /** Bytes of the parameters that train (their values; AdamW keeps two more of each). */
    public static long trainableBytes(CausalLM model) {
        long total = 0;
        for (Parameter p : model.module().namedParameters().values()) {
            if (p.requiresGrad()) {
                total += p.value().numel() * p.value().dtype().byteSize();
            }
        }
        return total;
    }

    /** Heap in use after a garbage collection request, in bytes. */
    public static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** {@code bytes} as KiB or MiB with one decimal. */
    public static String human(long bytes) {
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
