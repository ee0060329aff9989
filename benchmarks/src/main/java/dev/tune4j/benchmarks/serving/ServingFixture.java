package dev.tune4j.benchmarks.serving;

import dev.tune4j.models.CausalLM;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes the serving benchmark's model folder (with a tokenizer copied in when given) and
 * {@code N} adapters, then prints the {@code OpenAiServer} flags that serve them.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.tune4j.benchmarks.serving.ServingFixture
 * OUT_DIR 8 [TOKENIZER_DIR]}
 */
public final class ServingFixture {
    private ServingFixture() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: ServingFixture OUT_DIR N_ADAPTERS [TOKENIZER_DIR]");
        }
        Path out = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Path model = out.resolve("model");
        try (CausalLM m = ServingModels.base()) {
            m.savePretrained(model);
        }
        if (args.length > 2) {
            for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
                Path src = Path.of(args[2]).resolve(f);
                if (Files.isRegularFile(src)) {
                    Files.copy(src, model.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        List<Path> loras = ServingModels.writeAdapters(out, n, 16);
        StringBuilder flags = new StringBuilder("--model " + model + " --max-loras " + Math.max(1, n) + " --lora-modules");
        for (int i = 0; i < loras.size(); i++) {
            flags.append(" lora-").append(i).append('=').append(loras.get(i));
        }
        try {
            Files.writeString(out.resolve("serve-flags.txt"), flags + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println(flags);
    }
}
