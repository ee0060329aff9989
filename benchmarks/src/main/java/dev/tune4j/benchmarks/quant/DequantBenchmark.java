package dev.tune4j.benchmarks.quant;

import dev.tune4j.quant.Functional;
import dev.tune4j.quant.QuantState;
import dev.tune4j.tensor.DType;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * 4-bit (NF4, double quant, blocksize 64) dequantization and fused mat-vec, each against a
 * baseline in the same run.
 *
 * <ul>
 *   <li>{@code copyF32} (baseline) copies a 64 MiB float[] with {@code System.arraycopy}: this
 *       machine's copy bandwidth for buffers far larger than cache. {@code dequantize} writes the
 *       same 64 MiB of floats from a 4096x4096 NF4 weight (8 MiB packed). The {@code outputGB} and
 *       {@code packedGB} counters are GB/s of floats written and of packed bytes read.</li>
 *   <li>{@code gemvF32} (baseline) is a vectorised float32 mat-vec over a [out, in] weight;
 *       {@code gemv4bit} is {@code Functional.gemv4bit} on the same weight quantized, never
 *       materialising it. Both single-threaded.</li>
 * </ul>
 *
 * <pre>java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar Dequant -f 1 -wi 2 -i 3</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DequantBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Bytes moved, reported by JMH as rates: GB/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Traffic {
        public double outputGB;
        public double packedGB;

        @Setup(Level.Iteration)
        public void reset() {
            outputGB = 0;
            packedGB = 0;
        }
    }

    /** A 4096x4096 layer: 64 MiB of float32 output, 8 MiB packed. */
    @State(Scope.Benchmark)
    public static class Big {
        static final int ROWS = 4096;
        static final int COLS = 4096;
        QuantState state;
        float[] source;
        float[] out;

        @Setup
        public void setup() {
            source = weights(ROWS * COLS, 1);
            state = Functional.quantize4bit(source, new int[] {ROWS, COLS}, DType.F32, 64, "nf4", true);
            out = new float[ROWS * COLS];
        }
    }

    /** A [out, in] Linear weight, in float32 and quantized. */
    @State(Scope.Benchmark)
    public static class Layer {
        @Param({"768x2048", "2048x768", "4096x4096"})
        public String shape;
        int rows;
        int cols;
        float[] w;
        QuantState q;
        float[] x;
        float[] y;

        @Setup
        public void setup() {
            String[] p = shape.split("x");
            rows = Integer.parseInt(p[0]);
            cols = Integer.parseInt(p[1]);
            w = weights(rows * cols, 2);
            q = Functional.quantize4bit(w, new int[] {rows, cols}, DType.F32, 64, "nf4", true);
            x = weights(cols, 3);
            y = new float[rows];
        }
    }

    static float[] weights(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (r.nextGaussian() * 0.02);
        }
        return w;
    }

    @Benchmark
    public float[] copyF32(Big b, Traffic t) {
        System.arraycopy(b.source, 0, b.out, 0, b.out.length);
        t.outputGB += b.out.length * 4e-9;
        return b.out;
    }

    @Benchmark
    public float[] dequantize(Big b, Traffic t) {
        Functional.dequantize4bit(b.state, 0, b.out.length, b.out, 0);
        t.outputGB += b.out.length * 4e-9;
        t.packedGB += b.state.packed().length * 1e-9;
        return b.out;
    }

    @Benchmark
    public float[] gemvF32(Layer l) {
        int cols = l.cols;
        int upper = F.loopBound(cols);
        for (int r = 0; r < l.rows; r++) {
            int base = r * cols;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            int k = 0;
            for (; k + 2 * F.length() <= upper; k += 2 * F.length()) {
                a0 = FloatVector.fromArray(F, l.w, base + k).fma(FloatVector.fromArray(F, l.x, k), a0);
                a1 = FloatVector.fromArray(F, l.w, base + k + F.length())
                        .fma(FloatVector.fromArray(F, l.x, k + F.length()), a1);
            }
            for (; k < upper; k += F.length()) {
                a0 = FloatVector.fromArray(F, l.w, base + k).fma(FloatVector.fromArray(F, l.x, k), a0);
            }
            float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
            for (; k < cols; k++) {
                s += l.w[base + k] * l.x[k];
            }
            l.y[r] = s;
        }
        return l.y;
    }

    @Benchmark
    public float[] gemv4bit(Layer l) {
        Functional.gemv4bit(l.x, l.q, l.y);
        return l.y;
    }
}
