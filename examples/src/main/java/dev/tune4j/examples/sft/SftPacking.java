package dev.tune4j.examples.sft;

import dev.tune4j.examples.support.ExactMatch;
import dev.tune4j.examples.support.ExampleArgs;
import dev.tune4j.examples.support.LossCurve;
import dev.tune4j.examples.support.ProgressCallback;
import dev.tune4j.examples.support.Tasks;
import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.lora.TaskType;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import dev.tune4j.train.SFTConfig;
import dev.tune4j.train.SFTTrainer;
import dev.tune4j.train.TrainingArguments;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Supervised fine-tuning with packing, as trl's {@code SFTTrainer(model, args=SFTConfig(packing=True,
 * max_length=128), train_dataset=alpaca)}: Alpaca records go through the chat template, loss on the
 * answers only, and several short conversations are packed into each row (best-fit decreasing),
 * kept apart by position ids that restart at 0.
 *
 * <p>Arguments: {@code [MODEL_DIR] [--out DIR] [--steps N]}.
 */
public final class SftPacking {
    private SftPacking() {}

    /** Rows before and after packing, accuracy before and after, first and last logged loss. */
    public record Result(int rawRows, int packedRows, double accuracyBefore, double accuracyAfter,
                         double firstLoss, double lastLoss) {}

    public static void main(String[] args) {
        run(ExampleArgs.parse(args, Path.of("target", "examples", "sft-packing")), System.out);
    }

    /** Runs the example. */
    public static Result run(ExampleArgs a, PrintStream out) {
        Path modelDir = a.model();
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(modelDir);
        Tasks tasks = Tasks.split(48, 11);
        TrainingArguments args = TrainingArguments.builder().outputDir(a.outputDir().resolve("run"))
                .learningRate(3e-3).perDeviceTrainBatchSize(4).maxSteps(a.stepsOr(200)).warmupSteps(10)
                .lrSchedulerType("cosine").loggingSteps(10).saveStrategy("no").seed(11).reportTo("none").build();
        SFTConfig sft = SFTConfig.builder(args).maxLength(128).packing(true).build();
        int packed = SFTTrainer.prepare(tasks.train(), sft, tok).size();
        out.printf("%d conversations packed into %d rows of at most %d tokens%n", tasks.train().size(), packed, sft.maxLength());
        int endOfTurn = tok.tokenToId("<|im_end|>");
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir)) {
            GenerationConfig greedy = model.generationConfig().toBuilder().maxNewTokens(10).doSample(false)
                    .eosTokenIds(endOfTurn, tok.eosTokenId().orElse(endOfTurn)).build();
            Function<String, String> prompt = s -> tok.applyChatTemplate(List.of(Map.of("role", "user", "content", s)), true);
            double before = ExactMatch.evaluate(model, tok, tasks.heldOut(), prompt, greedy).accuracy();
            PeftModel peft = PeftModel.getPeftModel(model, LoraConfig.builder().r(8).loraAlpha(16)
                    .targetModules("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
                    .taskType(TaskType.CAUSAL_LM).build());
            SFTTrainer trainer = new SFTTrainer(peft, sft, tasks.train(), null, tok);
            trainer.addCallback(new ProgressCallback("sft", out));
            trainer.train();
            LossCurve curve = new LossCurve().add("SFT (packed)", trainer.state().logHistory);
            curve.write(a.outputDir().resolve("loss.svg"));
            List<double[]> pts = curve.points("SFT (packed)");
            double after = ExactMatch.evaluate(peft, tok, tasks.heldOut(), prompt, greedy).accuracy();
            out.printf("exact match on held-out instructions: %.1f%% -> %.1f%%%n", 100 * before, 100 * after);
            peft.savePretrained(a.outputDir().resolve("adapter"));
            return new Result(tasks.train().size(), packed, before, after, pts.get(0)[1], pts.get(pts.size() - 1)[1]);
        }
    }
}
