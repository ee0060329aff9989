package dev.tune4j.benchmarks.quant;

import dev.tune4j.benchmarks.model.BenchModel;
import dev.tune4j.models.KvCache;
import dev.tune4j.models.PreTrainedCausalLM;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Prefill (1 x 512 tokens) and greedy-decode step of the bench model with NF4 (double quant,
 * blocksize 64) projections against the same model in F32, in the same run. Embeddings, norms
 * and lm_head stay F32 in both, as transformers leaves them. The anchor is llama.cpp's Q4_0
 * decode on the same model and machine (../shared/bench/README.md).
 *
 * <pre>java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar QuantizedInference</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class QuantizedInferenceBenchmark {
    /** F32 is the baseline; NF4 quantizes every projection (q/k/v/o, gate/up/down). */
    @Param({"F32", "NF4"})
    public String weights;

    /** Context length the decode step runs at. */
    @Param({"128"})
    public int context;

    private PreTrainedCausalLM model;
    private int[][] prompt;
    private int[][] positions;
    private KvCache decodeCache;
    private int[][] mask;

    @Setup(Level.Trial)
    public void setUp() {
        model = "NF4".equals(weights) ? QuantizedBenchModel.create() : BenchModel.create(DType.F32);
        SplittableRandom r = new SplittableRandom(7);
        prompt = new int[1][512];
        positions = new int[1][512];
        for (int i = 0; i < 512; i++) {
            prompt[0][i] = 3 + r.nextInt(31990);
            positions[0][i] = i;
        }
        decodeCache = model.newCache(1, context + 1);
        model.step(decodeCache, new int[][] {Arrays.copyOf(prompt[0], context)},
                new int[][] {Arrays.copyOf(positions[0], context)}, null);
        mask = new int[1][context + 1];
        Arrays.fill(mask[0], 1);
    }

    @Setup(Level.Invocation)
    public void rewind() {
        decodeCache.truncate(context);
    }

    @Benchmark
    public float[][] prefill512() {
        return model.step(model.newCache(1, 512), prompt, positions, null);
    }

    @Benchmark
    public float[][] decodeStep() {
        return model.step(decodeCache, new int[][] {{prompt[0][context]}}, new int[][] {{context}}, mask);
    }
}
