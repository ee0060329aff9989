package dev.tune4j.examples.chat;

import dev.tune4j.data.ChatTokenization;
import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.data.formats.AlpacaFormat;
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
import dev.tune4j.train.Trainer;
import dev.tune4j.train.TrainingArguments;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Instruction fine-tuning of a Qwen2-style chat model with LoRA on ChatML prompts: conversations
 * as {@code messages} records, rendered by the tokenizer's chat template, loss only on the
 * assistant's answers, batches padded by {@link DataCollatorForSeq2Seq}.
 *
 * <p>Python: {@code tok.apply_chat_template(messages)}, labels -100 outside the assistant turns,
 * {@code get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=[...]))},
 * {@code Trainer(model, args, train_dataset=ds, data_collator=DataCollatorForSeq2Seq(tok)).train()}.
 *
 * <p>Arguments: {@code [MODEL_DIR] [--out DIR] [--steps N]}; the model needs a chat template
 * (the embedded default and Qwen2 models have ChatML).
 */
public final class ChatLoraFineTune {
    private ChatLoraFineTune() {}

    /** Accuracy before and after, the loss at the first and last log, and the adapter folder. */
    public record Result(double accuracyBefore, double accuracyAfter, double firstLoss, double lastLoss, Path adapterDir) {}

    public static void main(String[] args) {
        run(ExampleArgs.parse(args, Path.of("target", "examples", "chat-lora")), System.out);
    }

    /** Runs the example. */
    public static Result run(ExampleArgs a, PrintStream out) {
        Path modelDir = a.model();
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(modelDir);
        Tasks tasks = Tasks.split(48, 7);
        // Alpaca records become messages records, as a chat dataset on the hub would be.
        Dataset messages = tasks.train().map((row, i) -> Map.of("messages", AlpacaFormat.DEFAULT.toMessages(row, i)),
                List.of("instruction", "input", "output"));
        Dataset train = messages.map(row -> ChatTokenization.messages(tok, asMessages(row.get("messages")), 96, true).toFeatures())
                .removeColumns("messages");
        out.println("first training example, as the chat template renders it:");
        out.println(tok.applyChatTemplate(asMessages(messages.get(0).get("messages")), false));

        int endOfTurn = tok.tokenToId("<|im_end|>");
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir)) {
            GenerationConfig greedy = model.generationConfig().toBuilder().maxNewTokens(10).doSample(false)
                    .eosTokenIds(endOfTurn, tok.eosTokenId().orElse(endOfTurn)).build();
            var prompt = (java.util.function.Function<String, String>) s ->
                    tok.applyChatTemplate(List.of(Map.of("role", "user", "content", s)), true);
            double before = ExactMatch.evaluate(model, tok, tasks.heldOut(), prompt, greedy).accuracy();
            out.printf("exact match before: %.1f%%%n", 100 * before);

            LoraConfig lora = LoraConfig.builder().r(8).loraAlpha(16).loraDropout(0.05)
                    .targetModules("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
                    .taskType(TaskType.CAUSAL_LM).build();
            PeftModel peft = PeftModel.getPeftModel(model, lora);
            out.println(peft.trainableParametersLine());
            TrainingArguments args = TrainingArguments.builder().outputDir(a.outputDir().resolve("run"))
                    .learningRate(3e-3).perDeviceTrainBatchSize(16).maxSteps(a.stepsOr(300)).warmupSteps(10)
                    .lrSchedulerType("cosine").loggingSteps(10).saveStrategy("no").seed(7).reportTo("none").build();
            Trainer trainer = new Trainer(peft, args, train, null, new DataCollatorForSeq2Seq(tok));
            trainer.addCallback(new ProgressCallback("chat-lora", out));
            trainer.train();
            LossCurve curve = new LossCurve().add("chat LoRA", trainer.state().logHistory);
            curve.write(a.outputDir().resolve("loss.svg"));
            List<double[]> pts = curve.points("chat LoRA");
            ExactMatch.Result afterResult = ExactMatch.evaluate(peft, tok, tasks.heldOut(), prompt, greedy);
            afterResult.answers().stream().limit(4).forEach(x -> out.printf("  %s -> %s%n", x.instruction(), x.generated()));
            double after = afterResult.accuracy();
            out.printf("exact match after: %.1f%% (before %.1f%%)%n", 100 * after, 100 * before);
            Path adapterDir = a.outputDir().resolve("adapter");
            peft.savePretrained(adapterDir);
            out.println("adapter saved to " + adapterDir);
            return new Result(before, after, pts.get(0)[1], pts.get(pts.size() - 1)[1], adapterDir);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> asMessages(Object o) {
        return new ArrayList<>((List<Map<String, Object>>) o);
    }
}
