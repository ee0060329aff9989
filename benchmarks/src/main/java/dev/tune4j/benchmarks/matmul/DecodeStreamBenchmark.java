package dev.tune4j.benchmarks.matmul;

import dev.tune4j.backend.cpu.Gemm;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.Arena;
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
 * Decode (one token) through a stack of off-heap weights larger than every cache (1 GiB in
 * all, visited round-robin, like the layers of a model), so each call streams its weight from
 * memory. {@code weightGB} reads as the weight bandwidth in GB/s, to compare with the machine's
 * memory bandwidth; the naive kernel runs in the same fork as the baseline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class DecodeStreamBenchmark {
    private static final long TOTAL_BYTES = 1L << 30;

    @Param({"f32_segment", "bf16_segment"})
    public String weights;

    /** Each weight is [n, k] (the model's up/gate projection: 2048 x 768). */
    @Param({"2048x768"})
    public String layer;

    private Tensor[] stack;
    private float[] x;
    private float[] y;
    private int next;
    private int n;
    private int k;
    private long bytesPerLayer;
    private Arena arena;

    @Setup(Level.Trial)
    public void setup() {
        String[] parts = layer.split("x");
        n = Integer.parseInt(parts[0]);
        k = Integer.parseInt(parts[1]);
        arena = Arena.ofShared();
        Tensor first = Weights.create(weights, n, k, 0, arena);
        bytesPerLayer = (long) n * k * first.dtype().byteSize();
        int count = (int) Math.max(2, TOTAL_BYTES / bytesPerLayer);
        stack = new Tensor[count];
        stack[0] = first;
        for (int i = 1; i < count; i++) {
            stack[i] = Weights.create(weights, n, k, i, arena);
        }
        x = Weights.activations(k, 3);
        y = new float[n];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    private Tensor nextLayer() {
        Tensor w = stack[next];
        next = next + 1 == stack.length ? 0 : next + 1;
        return w;
    }

    @Benchmark
    public float tuned(Rates rates) {
        Gemm.linear(x, 0, 1, k, nextLayer(), y, 0);
        rates.add(1, n, k, bytesPerLayer);
        return y[0];
    }

    @Benchmark
    public float naive(Rates rates) {
        NaiveGemm.linear(x, 1, k, nextLayer(), y);
        rates.add(1, n, k, bytesPerLayer);
        return y[0];
    }
}
