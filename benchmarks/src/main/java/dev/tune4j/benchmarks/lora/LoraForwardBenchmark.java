package dev.tune4j.benchmarks.lora;

import dev.tune4j.backend.cpu.CpuBackend;
import dev.tune4j.lora.InitLoraWeights;
import dev.tune4j.lora.LoraLinear;
import dev.tune4j.nn.Linear;
import dev.tune4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a LoRA adapter costs per forward on one projection, against the plain Linear it wraps
 * (baseline, same run): unmerged ({@code y = W x + s B A x}, two thin extra products), merged
 * ({@code merge_adapter}: back to one product).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LoraForwardBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Benchmark)
public class LoraForwardBenchmark {
    @Param({"512"})
    public int hidden;

    @Param({"8", "64"})
    public int rank;

    @Param({"32"})
    public int tokens;

    private Linear plain;
    private LoraLinear unmerged;
    private LoraLinear merged;
    private Tensor x;

    @Setup
    public void setup() {
        SplittableRandom rng = new SplittableRandom(1);
        plain = new Linear(CpuBackend.INSTANCE, random(rng, hidden, hidden), null);
        unmerged = adapted(rng);
        merged = adapted(rng);
        merged.merge(null, false);
        x = random(rng, tokens, hidden);
    }

    private LoraLinear adapted(SplittableRandom rng) {
        LoraLinear l = new LoraLinear(new Linear(CpuBackend.INSTANCE, random(rng, hidden, hidden), null),
                CpuBackend.INSTANCE, 7);
        l.updateLayer("default", rank, 2.0 * rank, 0.0, InitLoraWeights.RANDOM, false, false, rng);
        l.setAdapter(List.of("default"));
        return l;
    }

    private static Tensor random(SplittableRandom rng, int rows, int cols) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (rng.nextDouble() - 0.5);
        }
        return Tensor.of(d, rows, cols);
    }

    /** Baseline: the bare Linear. */
    @Benchmark
    public Tensor linearBaseline() {
        return plain.forward(x);
    }

    @Benchmark
    public Tensor loraUnmerged() {
        return unmerged.forward(x);
    }

    @Benchmark
    public Tensor loraMerged() {
        return merged.forward(x);
    }
}
