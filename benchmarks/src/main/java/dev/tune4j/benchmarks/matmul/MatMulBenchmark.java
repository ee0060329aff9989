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
 * The Linear product {@code y = x W^T} ({@code Gemm.linear}; for heap F32 weights this is
 * {@code sgemm(false, true, ...)}) against {@link NaiveGemm} in the same run, for square sizes and
 * the shapes of the 125M Llama benchmark model: prefill projections (512 tokens) and decode
 * (one token, up to the 32000-entry head). The secondary results {@code gflop} and
 * {@code weightGB} read as GFLOP/s and GB/s of weights streamed.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar MatMulBenchmark -f 1 -wi 3 -i 5 -t 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx8g"})
public class MatMulBenchmark {
    /** m x k x n: rows of x, inner size, rows of W. */
    @Param({"512x512x512", "1024x1024x1024", "512x768x2048", "512x2048x768", "1x768x2048", "1x768x32000"})
    public String shape;

    @Param({"heap_f32", "bf16_segment"})
    public String weights;

    private int m;
    private int k;
    private int n;
    private float[] x;
    private float[] y;
    private Tensor w;
    private long weightBytes;
    private Arena arena;

    @Setup(Level.Trial)
    public void setup() {
        String[] parts = shape.split("x");
        m = Integer.parseInt(parts[0]);
        k = Integer.parseInt(parts[1]);
        n = Integer.parseInt(parts[2]);
        arena = Arena.ofShared();
        w = Weights.create(weights, n, k, 7, arena);
        weightBytes = (long) n * k * w.dtype().byteSize();
        x = Weights.activations(m * k, 11);
        y = new float[m * n];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float tuned(Rates rates) {
        Gemm.linear(x, 0, m, k, w, y, 0);
        rates.add(m, n, k, weightBytes);
        return y[y.length - 1];
    }

    @Benchmark
    public float naive(Rates rates) {
        NaiveGemm.linear(x, m, k, w, y);
        rates.add(m, n, k, weightBytes);
        return y[y.length - 1];
    }
}
