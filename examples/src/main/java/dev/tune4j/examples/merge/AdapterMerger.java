package dev.tune4j.examples.merge;

import dev.tune4j.lora.PeftModel;
import dev.tune4j.lora.WeightedAdapterOptions;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.AutoTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges peft adapters into a base model and writes a plain checkpoint: one adapter is folded in
 * with {@code merge_and_unload()}; several are first combined with {@code add_weighted_adapter}
 * (weights and combination type as in peft), then folded in.
 */
public final class AdapterMerger {
    private AdapterMerger() {}

    /** An adapter folder and its weight in the combination. */
    public record WeightedAdapter(Path dir, double weight) {
        /** Parses {@code DIR} or {@code DIR:WEIGHT} (weight 1 when absent). */
        public static WeightedAdapter parse(String spec) {
            int colon = spec.lastIndexOf(':');
            if (colon > 0) {
                try {
                    return new WeightedAdapter(Path.of(spec.substring(0, colon)), Double.parseDouble(spec.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    // a colon inside the path: no weight given
                }
            }
            return new WeightedAdapter(Path.of(spec), 1.0);
        }
    }

    /**
     * Loads {@code base}, applies the adapters and writes the merged model (and the base's tokenizer
     * files, when it has them) to {@code out}.
     *
     * @param combination peft's combination_type: "cat", "linear", "svd", ... (ignored for one adapter)
     */
    public static void mergeToDir(Path base, List<WeightedAdapter> adapters, String combination, Path out) {
        if (adapters.isEmpty()) {
            throw new IllegalArgumentException("no adapters to merge: give at least one adapter folder");
        }
        CausalLM model = AutoModelForCausalLM.fromPretrained(base);
        PeftModel peft = PeftModel.fromPretrained(model, adapters.get(0).dir(), "adapter0", false);
        List<String> names = new ArrayList<>(List.of("adapter0"));
        List<Double> weights = new ArrayList<>(List.of(adapters.get(0).weight()));
        for (int i = 1; i < adapters.size(); i++) {
            peft.loadAdapter(adapters.get(i).dir(), "adapter" + i);
            names.add("adapter" + i);
            weights.add(adapters.get(i).weight());
        }
        if (adapters.size() > 1 || adapters.get(0).weight() != 1.0) {
            peft.addWeightedAdapter(names, weights, "merged", WeightedAdapterOptions.of(combination));
            peft.setAdapter("merged");
        }
        try (CausalLM merged = peft.mergeAndUnload()) {
            merged.savePretrained(out);
        }
        if (Files.isRegularFile(base.resolve("tokenizer.json"))) {
            AutoTokenizer.fromPretrained(base).savePretrained(out);
        }
    }
}
