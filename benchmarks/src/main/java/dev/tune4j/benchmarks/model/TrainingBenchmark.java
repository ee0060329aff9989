package dev.tune4j.benchmarks.model;

import dev.tune4j.autograd.AutogradBackend;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.DType;
import dev.tune4j.train.AdamW;
import dev.tune4j.train.ParamGroup;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
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
 * One fine-tuning step of the bench model (4 x 256 tokens, AdamW): forward, loss, backward,
 * optimizer step; full fine-tuning or LoRA, with and without gradient checkpointing. Tokens per second = 1024 / time per
 * op. At tear-down it prints the peak heap still live after a collection (the model's real
 * footprint) and the fork's peak RSS (VmHWM, the measure of the PyTorch figures in
 * ../shared/bench, which for a JVM also counts heap the collector has not yet needed to reclaim).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx8g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class TrainingBenchmark {
    @Param({"false", "true"})
    public boolean gradientCheckpointing;

    /** "full" fine-tuning, or "lora": r 16, alpha 32 on the seven projections (the anchors' setting). */
    @Param({"full", "lora"})
    public String mode;

    private dev.tune4j.models.CausalLM model;
    private AdamW optimizer;
    private int[][] ids;

    @Setup(Level.Trial)
    public void setUp() {
        PreTrainedCausalLM base = BenchModel.create(DType.F32, AutogradBackend.CPU);
        Map<String, Parameter> params;
        if ("lora".equals(mode)) {
            var peft = dev.tune4j.lora.PeftModel.getPeftModel(base, dev.tune4j.lora.LoraConfig.builder().r(16).loraAlpha(32)
                    .targetModules("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj").build());
            params = peft.trainableParameters();
            model = peft;
        } else {
            base.requiresGrad(true);
            params = base.namedParameters();
            model = base;
        }
        model.gradientCheckpointing(gradientCheckpointing);
        optimizer = new AdamW(List.of(new ParamGroup(params, 1e-4, 0.0)), 0.9, 0.999, 1e-8);
        SplittableRandom r = new SplittableRandom(3);
        ids = new int[4][256];
        for (int[] row : ids) {
            for (int i = 0; i < row.length; i++) {
                row[i] = 3 + r.nextInt(31990);
            }
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        LiveHeap.reset();
    }

    @Benchmark
    public float trainStep() {
        var out = model.forward(new ForwardArgs(ids, null, null, ids, false));
        out.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return out.loss();
    }

    @TearDown(Level.Trial)
    public void report() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("%n[TrainingBenchmark] mode=%s gradientCheckpointing=%s peak live heap after GC %.2f GB,"
                + " peak RSS %s, sum of heap pool peaks %.2f GB%n", mode, gradientCheckpointing, LiveHeap.peakGb(),
                PeakRss.read(), peak / 1e9);
    }
}
