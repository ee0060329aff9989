package dev.tune4j.backend.onnx;

import dev.tune4j.nn.LinearLayer;
import dev.tune4j.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which linear layers get a LoRA slot: peft's {@code target_modules} matching rules over the module tree. */
final class LoraTargets {
    /** peft's shorthand for every linear layer but the output head. */
    static final String ALL_LINEAR = "all-linear";

    private LoraTargets() {}

    /**
     * The names of the linear modules of {@code root} that {@code targetModules} selects: a module
     * whose name equals a target or ends with "." + target, as peft's {@code check_target_module_exists}
     * does for a list; {@code "all-linear"} selects every linear layer except {@code lm_head}.
     *
     * @throws IllegalArgumentException when a target matches no linear layer
     */
    static Set<String> resolve(Module root, List<String> targetModules) {
        if (targetModules == null || targetModules.isEmpty()) {
            return Set.of();
        }
        List<String> linears = new ArrayList<>();
        root.namedModules().forEach((name, m) -> {
            if (m instanceof LinearLayer) {
                linears.add(name);
            }
        });
        Set<String> out = new LinkedHashSet<>();
        if (targetModules.size() == 1 && targetModules.get(0).equals(ALL_LINEAR)) {
            for (String l : linears) {
                if (!l.equals("lm_head") && !l.endsWith(".lm_head")) {
                    out.add(l);
                }
            }
            return out;
        }
        for (String t : targetModules) {
            if (t == null || t.isEmpty() || t.equals(ALL_LINEAR)) {
                throw new IllegalArgumentException("lora target_modules " + targetModules + ": \"" + ALL_LINEAR
                        + "\" stands alone and names cannot be empty");
            }
            boolean hit = false;
            for (String l : linears) {
                if (l.equals(t) || l.endsWith("." + t)) {
                    out.add(l);
                    hit = true;
                }
            }
            if (!hit) {
                Set<String> leaves = new LinkedHashSet<>();
                linears.forEach(l -> leaves.add(l.substring(l.lastIndexOf('.') + 1)));
                throw new IllegalArgumentException("lora target module '" + t + "' matches no linear layer of the model;"
                        + " its linear layers are named " + leaves);
            }
        }
        return out;
    }

    /** Fails when a selected module did not get its slot while the forward pass was traced. */
    static void requireSlots(Set<String> selected, Set<String> traced) {
        Set<String> missing = new LinkedHashSet<>(selected);
        missing.removeAll(traced);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("LoRA target modules " + missing + " got no slot: only linear layers traced"
                    + " through the backend's linear ops (float or 4-bit) with a weight of their own take a run-time"
                    + " adapter (not an output head tied to the embeddings)");
        }
    }
}
