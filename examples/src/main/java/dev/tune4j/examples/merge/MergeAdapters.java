package dev.tune4j.examples.merge;

import dev.tune4j.data.ChatTokenization;
import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.examples.embedded.AlpacaPrompt;
import dev.tune4j.examples.support.ExactMatch;
import dev.tune4j.examples.support.ExampleArgs;
import dev.tune4j.examples.support.ProgressCallback;
import dev.tune4j.examples.support.Tasks;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.lora.TaskType;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import dev.tune4j.train.Trainer;
import dev.tune4j.train.TrainingArguments;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Merging adapters: trains one LoRA adapter on the English instructions and one on the Chinese
 * ones, combines them with {@code add_weighted_adapter(["en", "zh"], [0.5, 0.5], "both",
 * combination_type="cat")}, folds the combination into the weights with {@code merge_and_unload()},
 * saves the merged model and reloads it.
 *
 * <p>The same job from the command line, on adapters already saved:
 * {@code Tune4jCli merge --base DIR --adapter A:0.5 --adapter B:0.5 --combination cat --out DIR}.
 * Arguments: {@code [MODEL_DIR] [--out DIR] [--steps N]} (steps per adapter).
 */
public final class MergeAdapters {
    /** Each adapter's weight: both learned the same prompt format, so their mean keeps it at full strength. */
    static final double WEIGHT = 0.5;

    private MergeAdapters() {}

    /** Held-out accuracy of each adapter alone, of the combination, and of the reloaded merged model. */
    public record Result(double english, double chinese, double combined, double mergedReloaded, Path mergedDir,
                         Path englishAdapter, Path chineseAdapter) {}

    public static void main(String[] args) {
        run(ExampleArgs.parse(args, Path.of("target", "examples", "merge")), System.out);
    }

    static boolean isChinese(Map<String, Object> row) {
        return ((String) row.get("instruction")).codePoints()
                .anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    }

    /** Runs the example. */
    public static Result run(ExampleArgs a, PrintStream out) {
        Path modelDir = a.model();
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(modelDir);
        Tasks tasks = Tasks.split(48, 5);
        int steps = a.stepsOr(150);
        Path en = a.outputDir().resolve("adapter-en");
        Path zh = a.outputDir().resolve("adapter-zh");
        train(modelDir, tok, tasks.train().filter(r -> !isChinese(r)), en, steps, out);
        train(modelDir, tok, tasks.train().filter(MergeAdapters::isChinese), zh, steps, out);

        java.util.function.Function<String, String> prompt = s -> AlpacaPrompt.format(s, "");
        double accEn;
        double accZh;
        double accBoth;
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir)) {
            PeftModel peft = PeftModel.fromPretrained(model, en, "en", false);
            peft.loadAdapter(zh, "zh");
            peft.setAdapter("en");
            accEn = ExactMatch.evaluate(peft, tok, tasks.heldOut(), prompt, 8).accuracy();
            peft.setAdapter("zh");
            accZh = ExactMatch.evaluate(peft, tok, tasks.heldOut(), prompt, 8).accuracy();
            // "cat" stacks the two adapters' factors: the combination adds both weight updates.
            peft.addWeightedAdapter(List.of("en", "zh"), List.of(WEIGHT, WEIGHT), "both", "cat");
            peft.setAdapter("both");
            accBoth = ExactMatch.evaluate(peft, tok, tasks.heldOut(), prompt, 8).accuracy();
        }
        out.printf("held-out exact match: en adapter %.1f%%, zh adapter %.1f%%, cat combination %.1f%%%n",
                100 * accEn, 100 * accZh, 100 * accBoth);

        Path merged = a.outputDir().resolve("merged");
        AdapterMerger.mergeToDir(modelDir, List.of(new AdapterMerger.WeightedAdapter(en, WEIGHT),
                new AdapterMerger.WeightedAdapter(zh, WEIGHT)), "cat", merged);
        double accMerged;
        try (CausalLM reloaded = AutoModelForCausalLM.fromPretrained(merged)) {
            accMerged = ExactMatch.evaluate(reloaded, AutoTokenizer.fromPretrained(merged), tasks.heldOut(), prompt, 8).accuracy();
        }
        out.printf("merged model saved to %s and reloaded: %.1f%%%n", merged, 100 * accMerged);
        return new Result(accEn, accZh, accBoth, accMerged, merged, en, zh);
    }

    private static void train(Path modelDir, PretrainedTokenizer tok, Dataset rows, Path adapterDir, int steps, PrintStream out) {
        Dataset train = rows.map(row -> ChatTokenization.promptCompletion(tok,
                        AlpacaPrompt.format((String) row.get("instruction"), (String) row.get("input")),
                        (String) row.get("output"), 64, true, true).toFeatures())
                .removeColumns("instruction", "input", "output");
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir)) {
            PeftModel peft = PeftModel.getPeftModel(model, LoraConfig.builder().r(8).loraAlpha(16)
                    .targetModules("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
                    .taskType(TaskType.CAUSAL_LM).build());
            TrainingArguments args = TrainingArguments.builder().outputDir(adapterDir.resolveSibling("run"))
                    .learningRate(3e-3).perDeviceTrainBatchSize(16).maxSteps(steps).warmupSteps(10)
                    .loggingSteps(10).saveStrategy("no").seed(5).reportTo("none").build();
            Trainer trainer = new Trainer(peft, args, train, null, new DataCollatorForSeq2Seq(tok));
            trainer.addCallback(new ProgressCallback(adapterDir.getFileName().toString(), out));
            trainer.train();
            peft.savePretrained(adapterDir);
        }
    }

}
