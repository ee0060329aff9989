package dev.tune4j.benchmarks.onnx;

import dev.tune4j.autograd.AutogradBackend;
import dev.tune4j.backend.onnx.OnnxRuntimeBackend;
import dev.tune4j.backend.onnx.OrtTrainingStep;
import dev.tune4j.benchmarks.model.BenchModel;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.tensor.DType;
import dev.tune4j.train.AdamW;
import dev.tune4j.train.ParamGroup;
import java.util.List;
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
 * One LoRA fine-tuning step of the bench model (4 x 256 tokens; r 16, alpha 32 on the seven
 * projections; AdamW on the host), its forward and backward on the pure-Java CPU backend's autograd
 * (baseline) against the same step traced into one graph and run on ONNX Runtime's CPU execution
 * provider ({@link OrtTrainingStep}), in the same run. Tokens per second = 1024 / time per op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class OrtTrainingBenchmark {
    /** {@code cpu}: autograd on the pure-Java backend (baseline); {@code onnxruntime}: the traced step. */
    @Param({"cpu", "onnxruntime"})
    public String backend;

    private PeftModel peft;
    private OrtTrainingStep ortStep;
    private AdamW optimizer;
    private int[][] ids;

    @Setup(Level.Trial)
    public void setUp() {
        var base = backend.equals("cpu") ? BenchModel.create(DType.F32, AutogradBackend.CPU)
                : BenchModel.create(DType.F32, OnnxRuntimeBackend.create("cpu"));
        peft = PeftModel.getPeftModel(base, LoraConfig.builder().r(16).loraAlpha(32)
                .targetModules("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj").build());
        peft.train(true);
        if (!backend.equals("cpu")) {
            ortStep = OrtTrainingStep.compile(peft);
        }
        optimizer = new AdamW(List.of(new ParamGroup(peft.trainableParameters(), 1e-4, 0.0)), 0.9, 0.999, 1e-8);
        SplittableRandom r = new SplittableRandom(3);
        ids = new int[4][256];
        for (int[] row : ids) {
            for (int i = 0; i < row.length; i++) {
                row[i] = 3 + r.nextInt(31990);
            }
        }
    }

    @Benchmark
    public float trainStep() {
        float loss;
        if (ortStep != null) {
            loss = ortStep.forwardBackward(ids, null, ids);
        } else {
            var out = peft.forward(new ForwardArgs(ids, null, null, ids, false));
            out.backward();
            loss = out.loss();
        }
        optimizer.step();
        optimizer.zeroGrad();
        return loss;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (ortStep != null) {
            ortStep.close();
        }
        peft.close();
    }
}
