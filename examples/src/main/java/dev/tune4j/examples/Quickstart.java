package dev.tune4j.examples;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.TokenStreamer;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ModelConfig;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The quickstart on the embedded default: builds a small Llama-architecture model, saves it as a
 * Hugging Face checkpoint, loads it back through {@code AutoModelForCausalLM} and generates from
 * it with the KV cache, streaming each token.
 *
 * <p>Run: {@code mvn -B -DskipTests -Pquickstart package} (see README.md). The first argument, if
 * given, is a local model folder to use instead of the embedded default.
 */
public final class Quickstart {
    private Quickstart() {}

    /** The embedded default: a 2-layer Llama with a 512-token vocabulary. */
    static final String TINY_LLAMA = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 512,
             "hidden_size": 64, "intermediate_size": 176, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
             "max_position_embeddings": 256, "rms_norm_eps": 1e-06, "rope_theta": 10000.0,
             "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 2,
             "initializer_range": 0.5, "torch_dtype": "float32"}
            """;

    public static void main(String[] args) {
        Path dir;
        if (args.length > 0) {
            dir = Path.of(args[0]);
        } else {
            dir = Path.of("target", "quickstart", "tiny-llama");
            ModelConfig config = AutoConfig.fromJson(TINY_LLAMA, "embedded tiny-llama config");
            try (CausalLM built = AutoModelForCausalLM.fromConfig(config, 42)) {
                built.savePretrained(dir);
            }
            System.out.println("Built the embedded default model and saved it to " + dir.toAbsolutePath());
        }
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(dir)) {
            System.out.printf("Loaded %s: %,d parameters%n", model.config().architecture(), model.module().parameterCount());
            int[][] prompt = {{1, 17, 42, 99, 123}};
            GenerationConfig greedy = model.generationConfig().toBuilder().maxNewTokens(16).doSample(false).build();
            System.out.print("greedy: " + Arrays.toString(prompt[0]) + " ->");
            int[][] out = model.generate(prompt, null, greedy, new TokenStreamer() {
                @Override
                public void put(int row, int tokenId) {
                    System.out.print(" " + tokenId);
                }
            });
            System.out.println();
            GenerationConfig sampled = greedy.toBuilder().doSample(true).temperature(0.8).topP(0.9).seed(7L).build();
            int[][] sample = model.generate(prompt, null, sampled);
            System.out.println("sampled (T=0.8, top_p=0.9, seed 7): "
                    + Arrays.toString(Arrays.copyOfRange(sample[0], prompt[0].length, sample[0].length)));
            System.out.println("generated " + (out[0].length - prompt[0].length) + " tokens with the KV cache");
        }
    }
}
