package dev.tune4j.benchmarks.lora;

import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.lora.WeightedAdapterOptions;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * peft's {@code add_weighted_adapter(..., combination_type="svd")} on a 2-layer model with hidden
 * size 512, all seven projections adapted at r=16. tune4j factorises the combined delta through a
 * QR of the stacked factors and a small SVD; the baseline, in the same run, is the full SVD of the
 * [out, in] delta (what {@code magnitude_prune_svd} at density 1 computes, the same result).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar WeightedSvdBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Benchmark)
public class WeightedSvdBenchmark {
    private static final String CONFIG = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 64, "hidden_size": 512,
             "intermediate_size": 1024, "num_hidden_layers": 2, "num_attention_heads": 8, "num_key_value_heads": 8,
             "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "initializer_range": 0.02}""";

    private PeftModel peft;
    private int counter;

    @Setup(Level.Trial)
    public void setup() {
        LoraConfig config = LoraConfig.builder().r(16).loraAlpha(32).allLinear().initLoraWeights(false).build();
        peft = PeftModel.getPeftModel(AutoModelForCausalLM.fromConfig(AutoConfig.fromJson(CONFIG, "bench"), 1), config,
                "a", 1);
        peft.addAdapter("b", config);
    }

    @TearDown(Level.Trial)
    public void close() {
        peft.close();
    }

    private void combine(WeightedAdapterOptions options) {
        String name = "w" + counter++;
        peft.addWeightedAdapter(List.of("a", "b"), List.of(0.7, 0.3), name, options);
        peft.deleteAdapter(name);
    }

    /** Baseline: SVD of the full [out, in] delta. */
    @Benchmark
    public void fullDeltaSvdBaseline() {
        combine(WeightedAdapterOptions.builder().combinationType("magnitude_prune_svd").density(1.0).svdRank(16).build());
    }

    @Benchmark
    public void svdThroughFactors() {
        combine(WeightedAdapterOptions.builder().combinationType("svd").svdRank(16).build());
    }
}
