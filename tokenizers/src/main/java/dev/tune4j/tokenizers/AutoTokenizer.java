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
     * Loads from a local directory path. Hub ids ("org/name") are not downloaded by this module: a
     * string that is not an existing directory is rejected with the path that was checked.
     */
    public static PretrainedTokenizer fromPretrained(String idOrPath) {
        Path p = Path.of(idOrPath);
        if (Files.isDirectory(p)) {
            return PretrainedTokenizer.load(p);
        }
        throw new TokenizerException("\"" + idOrPath + "\" is not a local directory (checked "
                + p.toAbsolutePath() + "); downloading from the Hugging Face hub is not available here, "
                + "download the files and pass their directory");
    }
}
