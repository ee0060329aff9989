package dev.tune4j.examples.support;

import dev.tune4j.examples.embedded.EmbeddedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line every example shares: {@code [MODEL_DIR] [--out DIR] [--steps N]}. Without a
 * model folder the embedded default is extracted under the output folder.
 *
 * @param modelDir the local model folder, or null for the embedded default
 * @param outputDir where the example writes
 * @param steps training steps, or null for the example's default
 * @param rest arguments not read here
 */
public record ExampleArgs(Path modelDir, Path outputDir, Integer steps, List<String> rest) {
    /** Parses {@code args}; {@code defaultOut} is the output folder when --out is absent. */
    public static ExampleArgs parse(String[] args, Path defaultOut) {
        Path model = null;
        Path out = defaultOut;
        Integer steps = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--steps" -> steps = Integer.parseInt(value(args, ++i, "--steps"));
                default -> {
                    if (args[i].startsWith("--")) {
                        // another flag: kept with its value for the example to read
                        rest.add(args[i]);
                        if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                            rest.add(args[++i]);
                        }
                    } else if (model == null) {
                        model = Path.of(args[i]);
                    } else {
                        rest.add(args[i]);
                    }
                }
            }
        }
        return new ExampleArgs(model, out, steps, rest);
    }

    /** The model folder: the one given, or the embedded default extracted to {@code out/base}. */
    public Path model() {
        return modelDir != null ? modelDir : EmbeddedModel.extract(outputDir.resolve("base"));
    }

    /** The steps given, or {@code fallback}. */
    public int stepsOr(int fallback) {
        return steps != null ? steps : fallback;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
