package dev.tune4j.train;

import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One seeded fine-tuning run in its own JVM, for {@link SameSeedTrainingTest}: a Llama large
 * enough that every product is split over the worker threads, full fine-tuning with AdamW and
 * weight decay over shuffled random sequences, the model saved to {@code args[0]} and each logged
 * loss printed. Two runs must write the same bytes.
 */
public final class SameSeedTrainingMain {
    static final String CONFIG = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 512, "hidden_size": 256,
             "intermediate_size": 704, "num_hidden_layers": 2, "num_attention_heads": 8, "num_key_value_heads": 4,
             "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "bos_token_id": 1,
             "eos_token_id": 2, "initializer_range": 0.05}""";

    private SameSeedTrainingMain() {}

    public static void main(String[] args) {
        Path out = Path.of(args[0]);
        SplittableRandom r = new SplittableRandom(7);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            List<Integer> ids = new ArrayList<>();
            for (int j = 0, len = 40 + r.nextInt(24); j < len; j++) {
                ids.add(3 + r.nextInt(509));
            }
            rows.add(Map.of("input_ids", ids, "labels", ids));
        }
        try (CausalLM model = AutoModelForCausalLM.fromConfig(AutoConfig.fromJson(CONFIG, "same-seed"), 11)) {
            model.module().requiresGrad(true);
            var trainArgs = TrainingArguments.builder().outputDir(out.resolve("run")).perDeviceTrainBatchSize(4)
                    .gradientAccumulationSteps(2).learningRate(3e-3).weightDecay(0.1).lrSchedulerType("cosine")
                    .warmupSteps(1).numTrainEpochs(2).loggingSteps(1).saveStrategy("no").seed(5).reportTo(List.of())
                    .shuffleTrainData(true).build();
            Trainer trainer = new Trainer(model, trainArgs, Dataset.fromList(rows), null, new DataCollatorForSeq2Seq(0));
            trainer.train();
            for (Map<String, Object> entry : trainer.state().logHistory) {
                if (entry.containsKey("loss")) {
                    System.out.println("log " + entry.get("step") + " loss " + entry.get("loss") + " grad_norm "
                            + entry.get("grad_norm") + " learning_rate " + entry.get("learning_rate"));
                }
            }
            model.savePretrained(out.resolve("model"));
        }
        System.out.println("OK");
    }
}
