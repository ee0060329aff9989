package dev.tune4j.benchmarks.quant;

import dev.tune4j.benchmarks.model.BenchModel;
import dev.tune4j.benchmarks.model.PeakRss;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import dev.tune4j.quant.Functional;
import dev.tune4j.quant.QuantState;
import dev.tune4j.quant.nn.Linear4bit;
import dev.tune4j.tensor.DType;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Memory of 4-bit loading on the bench model. Run each step in a fresh JVM, so that the peak
 * resident size (VmHWM) belongs to that step alone:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tune4j.benchmarks.quant.QuantizedLoadMemory write /tmp/bench-f32
 * java -cp ... dev.tune4j.benchmarks.quant.QuantizedLoadMemory load-nf4 /tmp/bench-f32
 * java -cp ... dev.tune4j.benchmarks.quant.QuantizedLoadMemory load-f32 /tmp/bench-f32
 * </pre>
 *
 * {@code load-nf4} prints the bytes the 4-bit layers hold (packed codes, 8-bit absmax, nested
 * absmax, code tables, quant-state JSON) against 4.127 bits per quantized parameter, and the bytes
 * of the parameters left unquantized (embeddings, lm_head, norms).
 */
public final class QuantizedLoadMemory {
    private QuantizedLoadMemory() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: QuantizedLoadMemory write|load-nf4|load-f32 DIR");
        }
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "write" -> {
                PreTrainedCausalLM m = BenchModel.create(DType.F32);
                m.savePretrained(dir);
                System.out.println("wrote " + dir + ", " + m.module().parameterCount() + " parameters");
            }
            case "load-nf4" -> {
                try (CausalLM m = AutoModelForCausalLM.fromPretrained(dir,
                        LoadOptions.builder().quantizationConfig(QuantizedBenchModel.NF4_DQ).build())) {
                    report(m.module());
                    System.out.println("peak RSS while loading (VmHWM): " + PeakRss.read());
                }
            }
            case "load-f32" -> {
                try (CausalLM m = AutoModelForCausalLM.fromPretrained(dir)) {
                    // Touch every page of every weight, as a first forward pass would.
                    double s = 0;
                    for (Parameter p : m.module().namedParameters().values()) {
                        for (long i = 0; i < p.numel(); i += 1024) {
                            s += p.value().getFloat(i);
                        }
                    }
                    System.out.println("F32 parameters: " + m.module().parameterCount() + " (checksum " + s + ")");
                    long bytes = 0;
                    for (Parameter p : m.module().namedParameters().values()) {
                        bytes += p.numel() * 4;
                    }
                    System.out.printf("F32 weight bytes: %,d%n", bytes);
                    System.out.println("peak RSS after loading and reading every weight (VmHWM): " + PeakRss.read());
                }
            }
            default -> throw new IllegalArgumentException("unknown step " + args[0]);
        }
    }

    private static void report(Module model) {
        long quantParams = 0;
        long quantBytes = 0;
        double arithmeticBits = 0;
        Set<Parameter> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Module mod : model.namedModules().values()) {
            if (mod instanceof Linear4bit l) {
                QuantState s = l.quantState();
                quantParams += s.numel();
                quantBytes += l.residentBytes();
                arithmeticBits += Functional.bitsPerParameter(s.numel(), s.blocksize(), s.nested()) * s.numel();
                owned.addAll(l.namedParameters().values());
            }
        }
        long otherBytes = 0;
        long otherParams = 0;
        for (Parameter p : model.namedParameters().values()) {
            if (!owned.contains(p)) {
                otherParams += p.numel();
                otherBytes += p.numel() * p.value().dtype().byteSize();
            }
        }
        double arithmetic = quantParams * (4 + 8.0 / 64 + 32.0 / (64 * 256)) / 8;
        System.out.printf("quantized parameters: %,d; bytes held by Linear4bit layers: %,d%n", quantParams, quantBytes);
        System.out.printf("4.127-bit arithmetic: %,.0f bytes (per-layer block rounding: %,.0f); held/arithmetic = %.4f%n",
                arithmetic, arithmeticBits / 8, quantBytes / arithmetic);
        System.out.printf("unquantized parameters (embeddings, lm_head, norms): %,d, %,d bytes%n", otherParams, otherBytes);
        System.out.printf("resident weight bytes: %,d (F32 would be %,d)%n", quantBytes + otherBytes,
                4 * (quantParams + otherParams));
    }
}
