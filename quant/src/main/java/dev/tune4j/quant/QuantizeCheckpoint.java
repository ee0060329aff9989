package dev.tune4j.quant;

import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.LoadOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quantizes a model folder to a bnb-4bit checkpoint, as loading with
 * {@code BitsAndBytesConfig(load_in_4bit=True, ...)} and {@code save_pretrained} do in
 * transformers. The weights are quantized layer by layer as they are read; tokenizer files are
 * copied alongside.
 *
 * <pre>
 * java -cp ... dev.tune4j.quant.QuantizeCheckpoint SRC_DIR DST_DIR [--quant-type nf4|fp4]
 *      [--no-double-quant] [--blocksize 64]
 * </pre>
 */
public final class QuantizeCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(QuantizeCheckpoint.class);
    /** Files besides the weights that a model folder carries and a quantized copy keeps. */
    private static final List<String> COPIED = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json",
            "chat_template.jinja");

    private QuantizeCheckpoint() {}

    /** Command-line entry; see the class description for the arguments. */
    public static void main(String[] args) {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: QuantizeCheckpoint SRC_DIR DST_DIR [--quant-type nf4|fp4]"
                    + " [--no-double-quant] [--blocksize N]");
        }
        BitsAndBytesConfig.Builder b = BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType("nf4")
                .bnb4bitUseDoubleQuant(true);
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--quant-type" -> b.bnb4bitQuantType(value(args, ++i));
                case "--no-double-quant" -> b.bnb4bitUseDoubleQuant(false);
                case "--blocksize" -> b.blocksize(Integer.parseInt(value(args, ++i)));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        quantize(Path.of(args[0]), Path.of(args[1]), b.build());
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** Loads {@code source} quantized with {@code config} and writes it to {@code target}. */
    public static void quantize(Path source, Path target, BitsAndBytesConfig config) {
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(source,
                LoadOptions.builder().quantizationConfig(config).build())) {
            model.savePretrained(target);
        }
        for (String name : COPIED) {
            Path f = source.resolve(name);
            if (Files.isRegularFile(f)) {
                try {
                    Files.copy(f, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot copy " + f + " to " + target, e);
                }
            }
        }
        LOG.info("Quantized {} to {} ({})", source, target, config.bnb4bitQuantType());
    }
}
