package dev.tune4j.tokenizers;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point mirroring transformers' {@code AutoTokenizer}: loads a tokenizer directory
 * (tokenizer.json, tokenizer_config.json, special_tokens_map.json, optional chat_template.jinja).
 *
 * <pre>{@code
 * // Python: tok = AutoTokenizer.from_pretrained("path/to/model")
 * PretrainedTokenizer tok = AutoTokenizer.fromPretrained(Path.of("path/to/model"));
 * }</pre>
 */
public final class AutoTokenizer {
    private AutoTokenizer() {}

    /** Loads the tokenizer files of a local directory. */
    public static PretrainedTokenizer fromPretrained(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new TokenizerException(dir + ": not a directory");
        }
        return PretrainedTokenizer.load(dir);
    }

    /**
     * Loads from a local directory, or from a hub id ("org/name") through a registered
     * {@link PretrainedResolver} (tune4j-core's hub client, sharing the Hugging Face cache).
     */
    public static PretrainedTokenizer fromPretrained(String idOrPath) {
        return fromPretrained(idOrPath, "main");
    }

    /** {@link #fromPretrained(String)} at a hub revision (branch, tag or commit). */
    public static PretrainedTokenizer fromPretrained(String idOrPath, String revision) {
        Path p = Path.of(idOrPath);
        if (Files.isDirectory(p)) {
            return PretrainedTokenizer.load(p);
        }
        for (PretrainedResolver r : java.util.ServiceLoader.load(PretrainedResolver.class)) {
            return PretrainedTokenizer.load(r.resolve(idOrPath, revision,
                    java.util.List.of("tokenizer*", "special_tokens_map.json", "chat_template.jinja", "*.model", "vocab*", "merges.txt")));
        }
        throw new TokenizerException("\"" + idOrPath + "\" is not a local directory (checked "
                + p.toAbsolutePath() + ") and no hub client is on the class path: add tune4j-core to download "
                + "from the Hugging Face hub, or pass a local directory");
    }
}
