package dev.tune4j.examples.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune4j.data.ChatTokenization;
import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.examples.support.ProgressCallback;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.BpeTrainer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import dev.tune4j.tokenizers.Tokenizer;
import dev.tune4j.train.Trainer;
import dev.tune4j.train.TrainingArguments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Regenerates the embedded default deterministically: trains the byte-level BPE tokenizer on the
 * task corpus with the tokenizers module's {@link BpeTrainer}, pre-trains a small Llama on it with the tune4j Trainer, and writes the model
 * folder and the Alpaca instruction dataset into this module's resources.
 *
 * <pre>
 * mvn -B -q install -DskipTests
 * mvn -B -q -pl examples exec:exec -Dexec.mainClass=dev.tune4j.examples.embedded.BuildEmbeddedModel
 * </pre>
 *
 * <p>Arguments: the output folder of the resources (default
 * {@code src/main/resources/dev/tune4j/examples/embedded}) and the number of pre-training steps.
 */
public final class BuildEmbeddedModel {
    /** Vocabulary size of the tokenizer: 5 special tokens, 256 bytes, the rest merges. */
    public static final int VOCAB_SIZE = 384;
    /** Special tokens, in id order. */
    public static final List<String> SPECIAL_TOKENS = List.of("<pad>", "<s>", "</s>", "<|im_start|>", "<|im_end|>");
    /** Size of the Alpaca instruction dataset written next to the model. */
    public static final int DATASET_SIZE = 320;
    /** Pre-training steps of the shipped model. */
    public static final int DEFAULT_STEPS = 800;
    /** How often each digit fact appears in the pre-training corpus. */
    static final int FACT_COPIES = 20;
    /** Seed of everything random here. */
    public static final int SEED = 1234;

    /** ChatML, as Qwen2 writes it, so the chat examples have a template. */
    static final String CHATML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    static String configJson(int vocabSize) {
        return """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": %d,
                 "hidden_size": 64, "intermediate_size": 176, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
                 "max_position_embeddings": 256, "rms_norm_eps": 1e-06, "rope_theta": 10000.0,
                 "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0,
                 "initializer_range": 0.02, "torch_dtype": "float32"}
                """.formatted(vocabSize);
    }

    private BuildEmbeddedModel() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "src/main/resources/dev/tune4j/examples/embedded");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_STEPS;
        build(out, steps);
    }

    /**
     * The pre-training corpus: every task as {@code instruction =>} newline {@code answer} (the answer
     * after a newline, as in the Alpaca prompt, so its tokens are the same), plus a few sentences.
     */
    public static List<String> corpus() {
        List<String> lines = new ArrayList<>();
        for (SkillTasks.Task t : SkillTasks.all()) {
            // The 29 digit facts are repeated so they weigh about as much as the 1000 reversals.
            int copies = t.instruction().matches(".*\\d \\d \\d") ? 1 : FACT_COPIES;
            for (int i = 0; i < copies; i++) {
                lines.add(t.instruction() + " =>\n" + t.output());
            }
        }
        lines.addAll(List.of(
                "tune4j fine-tunes language models on the JVM.",
                "A small model learns simple rules from examples.",
                "The digits are zero, one, two, three, four, five, six, seven, eight and nine.",
                "数字是零、一、二、三、四、五、六、七、八、九。",
                "我们用 Java 训练语言模型。",
                "Reverse means to write the digits in the opposite order."));
        return lines;
    }

    /** Builds tokenizer, model and dataset into {@code out}, pre-training for {@code steps} steps. */
    public static void build(Path out, int steps) throws IOException {
        Path modelDir = out.resolve("tiny-llama");
        Files.createDirectories(modelDir);
        List<String> corpus = corpus();
        List<String> tokenizerTexts = new ArrayList<>(corpus);
        for (SkillTasks.Task t : SkillTasks.all()) {
            tokenizerTexts.add(AlpacaPrompt.format(t.instruction(), "") + t.output());
        }
        Tokenizer tokenizer = BpeTrainer.builder().vocabSize(VOCAB_SIZE).minFrequency(2)
                .specialTokens(SPECIAL_TOKENS).build().train(tokenizerTexts);
        tokenizer.save(modelDir.resolve("tokenizer.json"));
        writeTokenizerConfig(modelDir);
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(modelDir);

        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : corpus) {
            rows.add(ChatTokenization.text(tok, line, 64, true).toFeatures());
        }
        Dataset train = Dataset.fromList(rows);
        try (CausalLM model = AutoModelForCausalLM.fromConfig(
                AutoConfig.fromJson(configJson(tok.vocabSize()), "embedded tiny-llama config"), SEED)) {
            model.module().requiresGrad(true);
            TrainingArguments args = TrainingArguments.builder().outputDir(out.resolve("pretraining-run"))
                    .learningRate(3e-3).perDeviceTrainBatchSize(32).maxSteps(steps).warmupSteps(50)
                    .lrSchedulerType("cosine").weightDecay(0.01).loggingSteps(50).saveStrategy("no")
                    .seed(SEED).reportTo("none").build();
            Trainer trainer = new Trainer(model, args, train, null, new DataCollatorForSeq2Seq(tok));
            trainer.addCallback(new ProgressCallback("pre-training"));
            trainer.train();
            model.module().requiresGrad(false);
            model.savePretrained(modelDir);
        }
        deleteRecursively(out.resolve("pretraining-run"));
        List<Map<String, Object>> dataset = new ArrayList<>();
        for (SkillTasks.Task t : SkillTasks.sample(DATASET_SIZE, SEED)) {
            dataset.add(t.toAlpaca());
        }
        Files.writeString(out.resolve("skills_alpaca.json"),
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(dataset), StandardCharsets.UTF_8);
        System.out.println("wrote the embedded default to " + out.toAbsolutePath());
    }

    private static void writeTokenizerConfig(Path dir) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode cfg = om.createObjectNode();
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        cfg.put("bos_token", "<s>");
        cfg.put("eos_token", "</s>");
        cfg.put("pad_token", "<pad>");
        cfg.put("model_max_length", 256);
        cfg.put("padding_side", "right");
        cfg.put("clean_up_tokenization_spaces", false);
        ArrayNode extra = cfg.putArray("additional_special_tokens");
        extra.add("<|im_start|>").add("<|im_end|>");
        cfg.put("chat_template", CHATML);
        Files.writeString(dir.resolve("tokenizer_config.json"), cfg.toPrettyString(), StandardCharsets.UTF_8);
        ObjectNode map = om.createObjectNode();
        map.put("bos_token", "<s>");
        map.put("eos_token", "</s>");
        map.put("pad_token", "<pad>");
        map.set("additional_special_tokens", extra.deepCopy());
        Files.writeString(dir.resolve("special_tokens_map.json"), map.toPrettyString(), StandardCharsets.UTF_8);
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
