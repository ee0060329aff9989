package dev.tune4j.benchmarks.quant;

import dev.tune4j.backend.cpu.CpuBackend;
import dev.tune4j.benchmarks.model.BenchModel;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.ModelConfig;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Init;
import dev.tune4j.nn.RandomWeights;
import dev.tune4j.nn.WeightPath;
import dev.tune4j.nn.WeightSource;
import dev.tune4j.quant.BitsAndBytesConfig;
import dev.tune4j.tensor.Tensor;
import java.util.Set;

/**
 * The bench model (../shared/bench/llama-125m) with its projections quantized to NF4 with double
 * quantization as the random weights are created, one layer at a time (the same path as loading
 * a checkpoint with a BitsAndBytesConfig).
 */
public final class QuantizedBenchModel {
    private QuantizedBenchModel() {}

    static final BitsAndBytesConfig NF4_DQ = BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType("nf4")
            .bnb4bitUseDoubleQuant(true).build();

    public static PreTrainedCausalLM create() {
        return create(CpuBackend.INSTANCE);
    }

    /** The same model built on {@code backend} (an {@code OnnxRuntimeBackend} to compile it). */
    public static PreTrainedCausalLM create(dev.tune4j.backend.Backend backend) {
        ModelConfig c = BenchModel.config();
        RandomWeights random = new RandomWeights(1234, c.initializerRange());
        WeightSource source = new WeightSource() {
            @Override
            public Tensor load(String key, int[] shape, Init init) {
                return random.load(key, shape, init);
            }

            @Override
            public Set<String> keys() {
                return Set.of();
            }

            @Override
            public String describe() {
                return "bench model (NF4)";
            }
        };
        return AutoModelForCausalLM.build(c, WeightPath.root(source, NF4_DQ.linearFactory(c)), backend);
    }
}
