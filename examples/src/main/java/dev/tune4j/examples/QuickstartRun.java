package dev.tune4j.examples;

import dev.tune4j.data.ChatTokenization;
import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.data.DatasetSplit;
import dev.tune4j.examples.embedded.AlpacaPrompt;
import dev.tune4j.examples.embedded.EmbeddedModel;
import dev.tune4j.examples.support.ExactMatch;
import dev.tune4j.examples.support.LossCurve;
import dev.tune4j.examples.support.Memory;
import dev.tune4j.examples.support.ProgressCallback;
import dev.tune4j.examples.support.QuantizedLoading;
import dev.tune4j.examples.qlora.Llama2QloraRecipe;
import dev.tune4j.quant.BitsAndBytesConfig;
import dev.tune4j.quant.peft.KbitTraining;
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
 * The quickstart's steps, callable from {@link Quickstart#main} and from tests: load, generate,
 * LoRA fine-tune with the Trainer, generate again and measure, save the adapter, merge, save and
 * reload the merged model, then the same fine-tuning over 4-bit weights (QLoRA) where the build
 * loads them.
 */
public final class QuickstartRun {
    /** Options: the model folder (null for the embedded default), where outputs go, training steps. */
    public record Options(Path modelDir, Path outputDir, int maxSteps, int heldOut, PrintStream out) {
        /** The defaults of {@code mvn -Pquickstart package}. */
        public static Options defaults(Path modelDir) {
            return new Options(modelDir, Path.of("target", "quickstart"), 300, 64, System.out);
        }
    }

    /** The figures the quickstart prints, all measured in the run. */
    public record Report(double accuracyBefore, double accuracyAfter, double accuracyMerged, double firstLoss,
                         double lastLoss, Path adapterDir, Path mergedDir, Path lossCurve,
                         long baseWeightBytes, long adapterBytes, double accuracyQlora, long qloraBaseWeightBytes) {
        /** Whether the QLoRA step ran (this build loads 4-bit models). */
        public boolean qloraRan() {
            return !Double.isNaN(accuracyQlora);
        }
    }

    private QuickstartRun() {}

    /** Runs the whole workflow. */
    public static Report run(Options o) {
        PrintStream out = o.out();
        Path modelDir = o.modelDir() != null ? o.modelDir() : EmbeddedModel.extract(o.outputDir().resolve("base"));
        out.println("== 1. load  (AutoTokenizer / AutoModelForCausalLM.from_pretrained)");
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(modelDir);
        CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        long baseBytes = Memory.weightBytes(model);
        out.printf("   %s from %s: %,d parameters, %s of weights, vocabulary %d%n", model.config().architecture(),
                modelDir, model.module().parameterCount(), Memory.human(baseBytes), tok.vocabSize());

        // The instruction data: Alpaca records, held-out instructions never trained on.
        Dataset all = Dataset.fromList(EmbeddedModel.alpacaRows());
        DatasetSplit split = all.trainTestSplit(o.heldOut(), 42);
        Dataset train = split.train().map(row -> ChatTokenization.promptCompletion(tok,
                AlpacaPrompt.format((String) row.get("instruction"), (String) row.get("input")),
                (String) row.get("output"), 64, true, true).toFeatures())
                .removeColumns("instruction", "input", "output");
        List<String[]> heldOut = new ArrayList<>();
        for (Map<String, Object> row : split.test()) {
            heldOut.add(new String[] {(String) row.get("instruction"), (String) row.get("output")});
        }
        out.printf("   %d training instructions, %d held out%n", train.size(), heldOut.size());

        out.println("== 2. generate before fine-tuning  (model.generate)");
        ExactMatch.Result before = ExactMatch.evaluate(model, tok, heldOut, s -> AlpacaPrompt.format(s, ""), 8);
        show(out, before, 4);
        out.printf("   exact match on held-out instructions: %.1f%%%n", before.percent());

        out.println("== 3. LoRA fine-tune  (get_peft_model + Trainer.train)");
        LoraConfig lora = LoraConfig.builder().r(8).loraAlpha(16).loraDropout(0.0)
                .targetModules("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
                .taskType(TaskType.CAUSAL_LM).build();
        PeftModel peft = PeftModel.getPeftModel(model, lora);
        out.println("   " + peft.trainableParametersLine());
        long adapterBytes = Memory.trainableBytes(peft);
        TrainingArguments args = TrainingArguments.builder().outputDir(o.outputDir().resolve("lora-run"))
                .learningRate(3e-3).perDeviceTrainBatchSize(16).maxSteps(o.maxSteps()).warmupSteps(10)
                .lrSchedulerType("linear").loggingSteps(5).saveStrategy("no").seed(42).reportTo("none").build();
        Trainer trainer = new Trainer(peft, args, train, null, new DataCollatorForSeq2Seq(tok));
        trainer.addCallback(new ProgressCallback("   lora", out));
        trainer.train();
        LossCurve curve = new LossCurve().add("LoRA", trainer.state().logHistory);
        List<double[]> pts = curve.points("LoRA");
        double firstLoss = pts.get(0)[1];
        double lastLoss = pts.get(pts.size() - 1)[1];
        out.printf("   loss %.4f -> %.4f%n", firstLoss, lastLoss);

        out.println("== 4. generate after fine-tuning");
        ExactMatch.Result after = ExactMatch.evaluate(peft, tok, heldOut, s -> AlpacaPrompt.format(s, ""), 8);
        show(out, after, 4);
        out.printf("   exact match on held-out instructions: %.1f%% (before: %.1f%%)%n", after.percent(), before.percent());
        after.answers().stream().filter(a -> !a.correct()).limit(3).forEach(a ->
                out.printf("   missed: \"%s\" -> \"%s\" (expected %s)%n", a.instruction(), a.generated(), a.expected()));

        out.println("== 5. save the adapter  (peft_model.save_pretrained)");
        Path adapterDir = o.outputDir().resolve("adapter");
        peft.savePretrained(adapterDir);
        out.println("   " + adapterDir + ": adapter_config.json, adapter_model.safetensors");

        out.println("== 6. merge and save  (merge_and_unload + save_pretrained)");
        Path mergedDir = o.outputDir().resolve("merged");
        try (CausalLM merged = peft.mergeAndUnload()) {
            merged.savePretrained(mergedDir);
            tok.savePretrained(mergedDir);
        }
        out.println("   " + mergedDir);
        ExactMatch.Result reloaded;
        try (CausalLM again = AutoModelForCausalLM.fromPretrained(mergedDir)) {
            PretrainedTokenizer tok2 = AutoTokenizer.fromPretrained(mergedDir);
            reloaded = ExactMatch.evaluate(again, tok2, heldOut, s -> AlpacaPrompt.format(s, ""), 8);
            GenerationConfig greedy = again.generationConfig().toBuilder().maxNewTokens(8).doSample(false).build();
            String q = "用中文数字写 7";
            out.printf("   reloaded merged model: \"%s\" -> \"%s\"%n", q,
                    ExactMatch.generate(again, tok2, AlpacaPrompt.format(q, ""), greedy));
        }
        out.printf("   exact match of the reloaded merged model: %.1f%%%n", reloaded.percent());

        BitsAndBytesConfig bnb = Llama2QloraRecipe.bnbConfig();
        double qloraAccuracy = Double.NaN;
        long qloraBaseBytes = 0;
        if (QuantizedLoading.available(bnb)) {
            out.println("== 7. QLoRA: the same LoRA over NF4 + double-quant weights  (BitsAndBytesConfig)");
            QuantizedLoading.Loaded q = QuantizedLoading.load(modelDir, bnb);
            qloraBaseBytes = Memory.weightBytes(q.model());
            // peft: prepare_model_for_kbit_training (frozen base, float32 norms, gradient checkpointing)
            PeftModel qpeft = PeftModel.getPeftModel(KbitTraining.prepareModelForKbitTraining(q.model()), lora);
            Trainer qtrainer = new Trainer(qpeft, args.toBuilder().outputDir(o.outputDir().resolve("qlora-run")).build(),
                    train, null, new DataCollatorForSeq2Seq(tok));
            qtrainer.addCallback(new ProgressCallback("   qlora", out));
            qtrainer.train();
            curve.add("QLoRA (NF4)", qtrainer.state().logHistory);
            qloraAccuracy = ExactMatch.evaluate(qpeft, tok, heldOut, s -> AlpacaPrompt.format(s, ""), 8).accuracy();
            out.printf("   exact match with QLoRA: %.1f%%%n", 100 * qloraAccuracy);
            qpeft.savePretrained(o.outputDir().resolve("qlora-adapter"));
            qpeft.close();
        } else {
            out.println("== 7. QLoRA: 4-bit loading is not part of this build yet (skipped)");
        }

        Path svg = o.outputDir().resolve("loss.svg");
        curve.write(svg);
        out.println("== memory");
        out.printf("   base weights %s (F32); LoRA adapter %s trainable (+ %s of AdamW state)%n",
                Memory.human(baseBytes), Memory.human(adapterBytes), Memory.human(2 * adapterBytes));
        if (qloraBaseBytes > 0) {
            out.printf("   QLoRA base weights %s (NF4 + double quant, norms and embeddings as loaded)%n", Memory.human(qloraBaseBytes));
        }
        out.println("== loss curve: " + svg);
        return new Report(before.accuracy(), after.accuracy(), reloaded.accuracy(), firstLoss, lastLoss,
                adapterDir, mergedDir, svg, baseBytes, adapterBytes, qloraAccuracy, qloraBaseBytes);
    }

    private static void show(PrintStream out, ExactMatch.Result r, int n) {
        for (ExactMatch.Answer a : r.answers().subList(0, Math.min(n, r.answers().size()))) {
            out.printf("   %-28s -> %-12s (expected %s)%n", "\"" + a.instruction() + "\"", "\"" + a.generated() + "\"", a.expected());
        }
    }
}
