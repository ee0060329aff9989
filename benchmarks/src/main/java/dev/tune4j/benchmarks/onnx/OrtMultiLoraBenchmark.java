package dev.tune4j.benchmarks.onnx;

import dev.tune4j.backend.onnx.MultiLoraCausalLM;
import dev.tune4j.backend.onnx.OnnxAdapterFile;
import dev.tune4j.backend.onnx.OnnxRuntimeBackend;
import dev.tune4j.benchmarks.model.BenchModel;
import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.models.CausalLM;
import dev.tune4j.nn.LinearLayer;
import dev.tune4j.nn.Module;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * What run-time LoRA costs on ONNX Runtime's CPU execution provider: the bench model (F32) decoding
 * one token at a time, compiled without LoRA slots (the baseline, same run), with slots on every
 * linear layer but lm_head and no adapter active (rank-0 defaults), and with a rank-{@code r}
 * adapter active. Tokens/s = steps / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class OrtMultiLoraBenchmark {
    /** {@code none}: no slots (the baseline); {@code slots}: slots, no adapter active; {@code adapter}: one active. */
    @Param({"none", "slots", "adapter"})
    public String mode;

    @Param({"16"})
    public int r;

    @Param({"128"})
    public int context;

    @Param({"32"})
    public int steps;

    private CausalLM model;
    private int[][] prompt;

    @Setup(Level.Trial)
    public void setUp() {
        OnnxRuntimeBackend ort = OnnxRuntimeBackend.create("cpu");
        PreTrainedCausalLM built = BenchModel.create(DType.F32, ort);
        if (mode.equals("none")) {
            model = ort.compile(built);
        } else {
            MultiLoraCausalLM m = ort.compile(built, List.of("all-linear"));
            if (!mode.equals("slots")) {
                m.loadAdapter(randomAdapter(built, r, 1), "a");
                m.setAdapter("a");
            }
            model = m;
        }
        SplittableRandom rnd = new SplittableRandom(7);
        prompt = new int[1][context + steps];
        for (int i = 0; i < prompt[0].length; i++) {
            prompt[0][i] = 3 + rnd.nextInt(31990);
        }
    }

    /** Small random A and B (what a trained adapter looks like to the kernels) on every linear but lm_head. */
    static OnnxAdapterFile randomAdapter(Module root, int r, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> p = new LinkedHashMap<>();
        root.namedModules().forEach((name, m) -> {
            if (m instanceof LinearLayer l && !name.endsWith("lm_head")) {
                p.put(name + ".lora_A.weight", random(rnd, r, l.inFeatures()));
                p.put(name + ".lora_B.weight", random(rnd, l.outFeatures(), r));
            }
        });
        return OnnxAdapterFile.of(p);
    }

    private static Tensor random(SplittableRandom rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble(-1, 1) * 0.01);
        }
        return Tensor.of(v, rows, cols);
    }

    /** A fresh decoder holding the {@code context}-token prompt. */
    @State(Scope.Thread)
    public static class Context {
        IncrementalDecoder decoder;

        @Setup(Level.Invocation)
        public void prefill(OrtMultiLoraBenchmark b) throws Exception {
            if (decoder != null) {
                decoder.close();
            }
            decoder = b.model.newDecoder(1, b.context + b.steps);
            int[][] mask = new int[1][b.context];
            Arrays.fill(mask[0], 1);
            int[][] pos = new int[1][b.context];
            for (int i = 0; i < b.context; i++) {
                pos[0][i] = i;
            }
            decoder.step(new int[][] {Arrays.copyOf(b.prompt[0], b.context)}, pos, mask);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    /** {@code steps} one-token steps after the prompt. */
    @Benchmark
    public float[][] decode(Context c) {
        float[][] logits = null;
        int[] mask = new int[context];
        Arrays.fill(mask, 1);
        for (int s = 0; s < steps; s++) {
            mask = Arrays.copyOf(mask, context + s + 1);
            mask[context + s] = 1;
            int[][] token = {{prompt[0][context + s]}};
            int[][] pos = {{context + s}};
            logits = c.decoder.step(token, pos, new int[][] {mask});
        }
        return logits;
    }
}
