package dev.tune4j.benchmarks.onnx;

import dev.tune4j.backend.onnx.OnnxRuntimeBackend;
import dev.tune4j.benchmarks.model.BenchModel;
import dev.tune4j.benchmarks.quant.QuantizedBenchModel;
import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tensor.DType;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bench model on ONNX Runtime's CPU execution provider against the pure-Java CPU backend, in
 * the same run, both through the {@link IncrementalDecoder} generation uses. {@code weights}:
 * {@code F32}, or {@code NF4} projections with double quantization (on ORT each Linear4bit is a
 * com.microsoft MatMulBnb4 node; on the CPU backend its fused 4-bit kernels run).
 *
 * <ul>
 *   <li>{@code prefill}: one 1 x 512-token prompt, last position's logits. Tokens/s = 512 / time.
 *   <li>{@code decode}: {@code steps} greedy-style steps of one token after a {@code context}-token
 *       prompt (the prompt is fed in the untimed setup). Tokens/s = steps / time.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class OnnxRuntimeBenchmark {
    /** {@code cpu}: the pure-Java backend (baseline); {@code onnxruntime}: ORT CPU execution provider. */
    @Param({"cpu", "onnxruntime"})
    public String backend;

    @Param({"F32", "NF4"})
    public String weights;

    @Param({"128"})
    public int context;

    @Param({"32"})
    public int steps;

    private CausalLM model;
    private int[][] prompt;
    private int[][] positions;

    @Setup(Level.Trial)
    public void setUp() {
        boolean nf4 = weights.equals("NF4");
        if (backend.equals("cpu")) {
            model = nf4 ? QuantizedBenchModel.create() : BenchModel.create(DType.F32);
        } else {
            OnnxRuntimeBackend ort = OnnxRuntimeBackend.create("cpu");
            model = ort.compile(nf4 ? QuantizedBenchModel.create(ort) : BenchModel.create(DType.F32, ort));
        }
        SplittableRandom r = new SplittableRandom(7);
        prompt = new int[1][512];
        positions = new int[1][512];
        for (int i = 0; i < 512; i++) {
            prompt[0][i] = 3 + r.nextInt(31990);
            positions[0][i] = i;
        }
    }

    /** A fresh decoder holding the first {@code context} prompt tokens, for {@link #decode} only. */
    @State(Scope.Thread)
    public static class Context {
        IncrementalDecoder decoder;

        @Setup(Level.Invocation)
        public void prefill(OnnxRuntimeBenchmark b) throws Exception {
            if (decoder != null) {
                decoder.close();
            }
            decoder = b.model.newDecoder(1, b.context + b.steps);
            int[][] mask = new int[1][b.context];
            Arrays.fill(mask[0], 1);
            decoder.step(new int[][] {Arrays.copyOf(b.prompt[0], b.context)},
                    new int[][] {Arrays.copyOf(b.positions[0], b.context)}, mask);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    @Benchmark
    public float[][] prefill512() throws Exception {
        int[][] mask = new int[1][512];
        Arrays.fill(mask[0], 1);
        try (IncrementalDecoder d = model.newDecoder(1, 512)) {
            return d.step(prompt, positions, mask);
        }
    }

    @Benchmark
    public float[][] decode(Context c) {
        float[][] logits = null;
        int[][] mask = new int[1][context];
        Arrays.fill(mask[0], 1);
        for (int s = 0; s < steps; s++) {
            int len = context + s + 1;
            mask = Arrays.copyOf(mask, 1);
            mask[0] = Arrays.copyOf(mask[0], len);
            mask[0][len - 1] = 1;
            logits = c.decoder.step(new int[][] {{prompt[0][context + s]}}, new int[][] {{context + s}}, mask);
        }
        return logits;
    }
}
