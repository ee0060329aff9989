package dev.tune4j.examples.embedded;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * The embedded default shipped in this module's resources: a small Llama-architecture model
 * ({@value #RESOURCE_DIR}) with its byte-level BPE tokenizer, and the instruction dataset
 * ({@value #DATASET_RESOURCE}, Alpaca format). {@link BuildEmbeddedModel} regenerates them.
 *
 * <p>{@code AutoModelForCausalLM.fromPretrained} reads a folder, so {@link #extract(Path)} copies
 * the files out of the class path first.
 */
public final class EmbeddedModel {
    /** Class-path folder of the model and tokenizer files. */
    public static final String RESOURCE_DIR = "/dev/tune4j/examples/embedded/tiny-llama";
    /** Class-path location of the Alpaca-format instruction dataset. */
    public static final String DATASET_RESOURCE = "/dev/tune4j/examples/embedded/skills_alpaca.json";
    /** The files of the model folder, as savePretrained writes them. */
    public static final List<String> FILES = List.of("config.json", "generation_config.json", "model.safetensors",
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");

    private EmbeddedModel() {}

    /** Copies the embedded model folder to {@code dir} (created if needed) and returns {@code dir}. */
    public static Path extract(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String name : FILES) {
                try (InputStream in = EmbeddedModel.class.getResourceAsStream(RESOURCE_DIR + "/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("the embedded model file " + RESOURCE_DIR + "/" + name
                                + " is not on the class path; run dev.tune4j.examples.embedded.BuildEmbeddedModel"
                                + " to regenerate the embedded default");
                    }
                    Path tmp = Files.createTempFile(dir, name, ".tmp");
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting the embedded model to " + dir, e);
        }
    }

    /** The model folder named by {@code args[0]}, or the embedded default extracted under {@code fallback}. */
    public static Path modelDir(String[] args, Path fallback) {
        if (args.length > 0 && !args[0].isBlank()) {
            Path p = Path.of(args[0]);
            if (!Files.isDirectory(p)) {
                throw new IllegalArgumentException("model folder " + p.toAbsolutePath() + " does not exist");
            }
            return p;
        }
        return extract(fallback);
    }

    /** The instruction dataset rows ({@code instruction}, {@code input}, {@code output}). */
    public static List<Map<String, Object>> alpacaRows() {
        try (InputStream in = EmbeddedModel.class.getResourceAsStream(DATASET_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the embedded dataset " + DATASET_RESOURCE + " is not on the class path");
            }
            return new ObjectMapper().readValue(in, new TypeReference<List<Map<String, Object>>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + DATASET_RESOURCE, e);
        }
    }
}
