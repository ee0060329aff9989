package dev.tune4j.examples.classification;

import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.data.SupervisedExample;
import dev.tune4j.examples.support.ExampleArgs;
import dev.tune4j.examples.support.LossCurve;
import dev.tune4j.examples.support.ProgressCallback;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Sentiment classification with a causal LM by a label token, the way GPT-2 is fine-tuned as a
 * classifier without a classification head: the prompt {@code "Review: ...\nSentiment:"} is
 * followed by the first token of {@code " positive"} or {@code " negative"}, and only that last
 * token carries a label (all others are -100). Prediction compares the two label tokens' logits
 * at the last prompt position.
 *
 * <p>Any causal LM works; pass a GPT-2 folder (e.g. a download of openai-community/gpt2) to run
 * it on GPT-2 (LoRA on {@code all-linear} reaches its Conv1D layers c_attn, c_proj, c_fc).
 * Arguments: {@code [MODEL_DIR] [--out DIR] [--steps N]}.
 */
public final class Gpt2Sentiment {
    private Gpt2Sentiment() {}

    /** Evaluation accuracy before and after, first and last logged loss. */
    public record Result(double accuracyBefore, double accuracyAfter, double firstLoss, double lastLoss) {}

    public static void main(String[] args) {
        run(ExampleArgs.parse(args, Path.of("target", "examples", "sentiment")), System.out);
    }

    static String prompt(String review) {
        return "Review: " + review + "\nSentiment:";
    }

    /** Runs the example. */
    public static Result run(ExampleArgs a, PrintStream out) {
        Path modelDir = a.model();
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(modelDir);
        int pos = tok.encode(" positive", false).ids()[0];
        int neg = tok.encode(" negative", false).ids()[0];
        if (pos == neg) {
            throw new IllegalStateException("' positive' and ' negative' start with the same token (" + pos
                    + ") in this tokenizer; the label-token method needs distinct first tokens");
        }
        out.printf("label tokens: positive -> %d %s, negative -> %d %s%n", pos, tok.idToToken(pos), neg, tok.idToToken(neg));
        List<SentimentData.Review> train = SentimentData.generate(400, 1);
        List<SentimentData.Review> eval = SentimentData.generate(100, 2);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SentimentData.Review r : train) {
            int[] p = tok.encode(prompt(r.text()), true).ids();
            int[] ids = Arrays.copyOf(p, p.length + 1);
            ids[p.length] = r.positive() ? pos : neg;
            int[] labels = new int[ids.length];
            Arrays.fill(labels, SupervisedExample.IGNORE_INDEX);
            labels[p.length] = ids[p.length];
            rows.add(new SupervisedExample(ids, labels).toFeatures());
        }
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir)) {
            double before = accuracy(model, tok, eval, pos, neg);
            out.printf("eval accuracy before: %.1f%%%n", 100 * before);
            PeftModel peft = PeftModel.getPeftModel(model, LoraConfig.builder().r(8).loraAlpha(16).loraDropout(0.05)
                    .allLinear().taskType(TaskType.CAUSAL_LM).build());
            out.println(peft.trainableParametersLine());
            TrainingArguments args = TrainingArguments.builder().outputDir(a.outputDir().resolve("run"))
                    .learningRate(5e-3).perDeviceTrainBatchSize(16).maxSteps(a.stepsOr(200)).warmupSteps(5)
                    .loggingSteps(5).saveStrategy("no").seed(1).reportTo("none").build();
            Trainer trainer = new Trainer(peft, args, Dataset.fromList(rows), null, new DataCollatorForSeq2Seq(tok));
            trainer.addCallback(new ProgressCallback("sentiment", out));
            trainer.train();
            LossCurve curve = new LossCurve().add("label-token loss", trainer.state().logHistory);
            curve.write(a.outputDir().resolve("loss.svg"));
            List<double[]> pts = curve.points("label-token loss");
            double after = accuracy(peft, tok, eval, pos, neg);
            out.printf("eval accuracy after: %.1f%% (before %.1f%%)%n", 100 * after, 100 * before);
            for (String review : List.of("the movie was amazing.", "这本书很差。")) {
                out.printf("  \"%s\" -> %s%n", review, predict(peft, tok, review, pos, neg) ? "positive" : "negative");
            }
            peft.savePretrained(a.outputDir().resolve("adapter"));
            return new Result(before, after, pts.get(0)[1], pts.get(pts.size() - 1)[1]);
        }
    }

    /** Whether the model scores the positive label token above the negative one after the prompt. */
    public static boolean predict(CausalLM model, PretrainedTokenizer tok, String review, int pos, int neg) {
        int[] ids = tok.encode(prompt(review), true).ids();
        float[] logits = model.forward(new int[][] {ids}, null, null).logits().toFloatArray();
        int vocab = logits.length / ids.length;
        int last = (ids.length - 1) * vocab;
        return logits[last + pos] > logits[last + neg];
    }

    static double accuracy(CausalLM model, PretrainedTokenizer tok, List<SentimentData.Review> eval, int pos, int neg) {
        int ok = 0;
        for (SentimentData.Review r : eval) {
            if (predict(model, tok, r.text(), pos, neg) == r.positive()) {
                ok++;
            }
        }
        return (double) ok / eval.size();
    }
}
