package dev.tune4j.examples;

import dev.tune4j.examples.embedded.EmbeddedModel;
import java.nio.file.Path;

/**
 * The quickstart on the embedded default: loads a small Llama-architecture model shipped in this
 * module, generates, LoRA fine-tunes it on Alpaca instructions with the Trainer, generates again
 * and measures the change (exact match on held-out instructions), saves the adapter in peft's
 * format, merges it, saves and reloads the merged model, and writes the loss curve as SVG.
 *
 * <p>Run: {@code mvn -B -DskipTests -Pquickstart package} (see README.md). The first argument, if
 * given, is a local model folder to use instead of the embedded default; it needs a tokenizer
 * and should understand the tasks of {@link dev.tune4j.examples.embedded.SkillTasks}.
 */
public final class Quickstart {
    private Quickstart() {}

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        Path modelDir = args.length > 0 ? EmbeddedModel.modelDir(args, null) : null;
        QuickstartRun.run(QuickstartRun.Options.defaults(modelDir));
        System.out.printf("done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
