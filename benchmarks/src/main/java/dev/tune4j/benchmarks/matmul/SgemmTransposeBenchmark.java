package dev.tune4j.benchmarks.matmul;

import dev.tune4j.backend.cpu.Gemm;
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
 * {@code Gemm.sgemm} in all four transpose combinations (N = stored as used, T = transposed), the
 * layouts of the backward pass (dX = dY W: NN; dW = dY^T X: TN) and of attention (Q K^T: NT),
 * against {@link NaiveGemm#sgemm} in the same run. {@code gflop} reads as GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class SgemmTransposeBenchmark {
    /** m x k x n. */
    @Param({"512x768x2048", "16x768x2048"})
    public String shape;

    @Param({"NN", "NT", "TN", "TT"})
    public String trans;

    private int m;
    private int k;
    private int n;
    private boolean ta;
    private boolean tb;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup(Level.Trial)
    public void setup() {
        String[] parts = shape.split("x");
        m = Integer.parseInt(parts[0]);
        k = Integer.parseInt(parts[1]);
        n = Integer.parseInt(parts[2]);
        ta = trans.charAt(0) == 'T';
        tb = trans.charAt(1) == 'T';
        a = Weights.activations(m * k, 1);
        b = Weights.activations(k * n, 2);
        c = new float[m * n];
    }

    @Benchmark
    public float tuned(Rates rates) {
        Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c, 0, n);
        rates.add(m, n, k, 4L * k * n);
        return c[c.length - 1];
    }

    @Benchmark
    public float naive(Rates rates) {
        NaiveGemm.sgemm(ta, tb, m, n, k, a, b, c);
        rates.add(m, n, k, 4L * k * n);
        return c[c.length - 1];
    }
}
