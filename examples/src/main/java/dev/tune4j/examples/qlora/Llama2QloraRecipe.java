package dev.tune4j.examples.qlora;

import dev.tune4j.data.ChatTokenization;
import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.examples.embedded.AlpacaPrompt;
import dev.tune4j.examples.support.ExampleArgs;
import dev.tune4j.examples.support.LossCurve;
import dev.tune4j.examples.support.Memory;
import dev.tune4j.examples.support.ProgressCallback;
import dev.tune4j.examples.support.QuantizedLoading;
import dev.tune4j.examples.support.Tasks;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.lora.TaskType;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.quant.BitsAndBytesConfig;
import dev.tune4j.quant.peft.KbitTraining;
import dev.tune4j.tensor.DType;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import dev.tune4j.train.Trainer;
import dev.tune4j.train.TrainingArguments;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Llama-2 QLoRA recipe: the base model loaded in 4-bit NF4 with double quantization (bf16
 * compute), LoRA on all seven projections (r 16, alpha 16, dropout 0.1), paged AdamW 8-bit where
 * available (else AdamW), gradient accumulation 16, warmup, the base prepared with
 * {@code prepare_model_for_kbit_training} (gradient checkpointing), then the adapter saved, merged into a
 * full-precision copy of the base and the merged model saved.
 *
 * <p>Python: {@code BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
 * bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=torch.bfloat16)},
 * {@code LoraConfig(r=16, lora_alpha=16, lora_dropout=0.1, target_modules=[7 projections])},
 * {@code TrainingArguments(gradient_accumulation_steps=16, warmup_ratio=0.03, optim="paged_adamw_8bit")}.
 *
 * <p>Arguments: {@code [MODEL_DIR] [--out DIR] [--steps N] [--lr LR] [--batch B]}. The defaults
 * are the recipe's (lr 2e-4, batch 4); the tests run it reduced (a few optimizer steps).
 */
public final class Llama2QloraRecipe {
    private Llama2QloraRecipe() {}

    /** Eval loss before and after, whether the base was 4-bit, the optimizer used, output folders. */
    public record Result(double evalLossBefore, double evalLossAfter, boolean quantized, String optim,
                         Path adapterDir, Path mergedDir) {}

    /** The recipe's quantization: NF4, double quantization, bf16 compute. */
    public static BitsAndBytesConfig bnbConfig() {
        return BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType("nf4")
                .bnb4bitUseDoubleQuant(true).bnb4bitComputeDtype(DType.BF16).build();
    }

    /** The recipe's LoRA: all seven projections, r 16, alpha 16, dropout 0.1. */
    public static LoraConfig loraConfig() {
        return LoraConfig.builder().r(16).loraAlpha(16).loraDropout(0.1)
                .targetModules("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
                .bias("none").taskType(TaskType.CAUSAL_LM).build();
    }

    public static void main(String[] args) {
        run(ExampleArgs.parse(args, Path.of("target", "examples", "qlora")), System.out);
    }

    /** Runs the recipe. */
    public static Result run(ExampleArgs a, PrintStream out) {
        double lr = 2e-4;
        int batch = 4;
        for (int i = 0; i + 1 < a.rest().size(); i++) {
            switch (a.rest().get(i)) {
                case "--lr" -> lr = Double.parseDouble(a.rest().get(++i));
                case "--batch" -> batch = Integer.parseInt(a.rest().get(++i));
                default -> throw new IllegalArgumentException("unknown option " + a.rest().get(i));
            }
        }
        Path modelDir = a.model();
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(modelDir);
        Tasks tasks = Tasks.split(32, 3);
        Dataset train = features(tasks.train(), tok);
        Dataset eval = features(Dataset.fromList(tasks.heldOut().stream()
                .map(p -> Map.<String, Object>of("instruction", p[0], "input", "", "output", p[1])).toList()), tok);

        BitsAndBytesConfig bnb = bnbConfig();
        QuantizedLoading.Loaded loaded = QuantizedLoading.load(modelDir, bnb);
        out.printf("base model %s: %s of weights%n", loaded.quantized() ? "in 4-bit NF4 + double quant" : "in full precision"
                + " (4-bit loading not in this build)", Memory.human(Memory.weightBytes(loaded.model())));
        CausalLM base = loaded.quantized() ? KbitTraining.prepareModelForKbitTraining(loaded.model()) : loaded.model();
        PeftModel peft = PeftModel.getPeftModel(base, loraConfig());
        peft.printTrainableParameters();

        TrainingArguments.Builder args = TrainingArguments.builder().outputDir(a.outputDir().resolve("run"))
                .learningRate(lr).perDeviceTrainBatchSize(batch).perDeviceEvalBatchSize(16)
                .gradientAccumulationSteps(16).maxSteps(a.stepsOr(30)).warmupRatio(0.03).lrSchedulerType("constant_with_warmup")
                .maxGradNorm(0.3).weightDecay(0.001).loggingSteps(1).saveStrategy("no").seed(3).reportTo("none")
                .optim("paged_adamw_8bit");
        Trainer trainer = new Trainer(peft, args.build(), train, eval, new DataCollatorForSeq2Seq(tok));
        double before = trainer.evaluate().get("eval_loss");
        String optim = "paged_adamw_8bit";
        trainer.addCallback(new ProgressCallback("qlora", out));
        try {
            trainer.train();
        } catch (IllegalArgumentException e) {
            if (!String.valueOf(e.getMessage()).contains("not available")) {
                throw e;
            }
            // No 8-bit optimizer on the class path: the recipe falls back to AdamW.
            optim = "adamw_torch";
            out.println("paged_adamw_8bit is not available here; training with adamw_torch");
            trainer = new Trainer(peft, args.optim(optim).build(), train, eval, new DataCollatorForSeq2Seq(tok));
            trainer.addCallback(new ProgressCallback("qlora", out));
            trainer.train();
        }
        double after = trainer.evaluate().get("eval_loss");
        out.printf("eval loss %.4f -> %.4f (%s)%n", before, after, optim);
        new LossCurve().add("QLoRA", trainer.state().logHistory).write(a.outputDir().resolve("loss.svg"));
        Path adapterDir = a.outputDir().resolve("adapter");
        peft.savePretrained(adapterDir);
        peft.close();

        // As in the recipe, the adapter is merged into the base in full precision, not into 4-bit weights.
        Path mergedDir = a.outputDir().resolve("merged");
        try (CausalLM dense = AutoModelForCausalLM.fromPretrained(modelDir);
             CausalLM merged = PeftModel.fromPretrained(dense, adapterDir).mergeAndUnload()) {
            merged.savePretrained(mergedDir);
        }
        tok.savePretrained(mergedDir);
        out.println("adapter: " + adapterDir + ", merged model: " + mergedDir);
        return new Result(before, after, loaded.quantized(), optim, adapterDir, mergedDir);
    }

    static Dataset features(Dataset alpaca, PretrainedTokenizer tok) {
        return alpaca.map(row -> ChatTokenization.promptCompletion(tok,
                        AlpacaPrompt.format((String) row.get("instruction"), (String) row.get("input")),
                        (String) row.get("output"), 64, true, true).toFeatures())
                .removeColumns("instruction", "input", "output");
    }
}
