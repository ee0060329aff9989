package dev.tune4j.benchmarks.model;

import dev.tune4j.models.KvCache;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.tensor.DType;
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
 * Prefill (1 x 512 tokens) and greedy-decode step time of the bench model, in F32, BF16 and NF4
 * weights (F32 is the baseline; llama.cpp's Q4_0 decode is the anchor for NF4). Tokens per second = tokens / time per op; the anchors (PyTorch, llama.cpp, Jlama on
 * the same model) are in ../shared/bench/README.md and benchmarks/README.md.
 *
 * <p>Prefill computes the logits of the last position only, as generation does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx6g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class InferenceBenchmark {
    /** F32 and BF16 weights; NF4 quantizes every projection (double quant, blocksize 64), lm_head stays F32. */
    @Param({"F32", "BF16", "NF4"})
    public String dtype;

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
        model = "NF4".equals(dtype) ? dev.tune4j.benchmarks.quant.QuantizedBenchModel.create()
                : BenchModel.create(DType.valueOf(dtype));
        SplittableRandom r = new SplittableRandom(7);
        prompt = new int[1][512];
        positions = new int[1][512];
        for (int i = 0; i < 512; i++) {
            prompt[0][i] = 3 + r.nextInt(31990);
            positions[0][i] = i;
        }
        decodeCache = model.newCache(1, context + 1);
        int[][] ctxIds = {java.util.Arrays.copyOf(prompt[0], context)};
        int[][] ctxPos = {java.util.Arrays.copyOf(positions[0], context)};
        model.step(decodeCache, ctxIds, ctxPos, null);
        mask = new int[1][context + 1];
        java.util.Arrays.fill(mask[0], 1);
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
