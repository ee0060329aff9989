package dev.tune4j.lora;

import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.Tensor;
import java.util.Set;

/**
 * peft's {@code nn.ModuleDict} of per-adapter weights ({@code lora_A}, {@code lora_B},
 * {@code lora_magnitude_vector}): one child per adapter name, each holding a parameter named
 * {@code weight}, so parameter names read {@code q_proj.lora_A.default.weight} as in peft.
 *
 * <p>A module tree cannot drop a child, so deleting an adapter builds a new dict without it and
 * the owner swaps it in.
 */
final class AdapterDict extends Module {
    /** One adapter's weight: a module with a single {@code weight} parameter. */
    static final class Entry extends Module {
        final Parameter weight;

        Entry(Tensor value, boolean trainable) {
            this.weight = register("weight", new Parameter(value, trainable));
        }
    }

    void put(String adapter, Tensor value, boolean trainable) {
        register(adapter, new Entry(value, trainable));
    }

    /** Adds a whole module under {@code adapter} (modules_to_save copies). */
    void putModule(String adapter, Module m) {
        register(adapter, m);
    }

    /** The module held for {@code adapter}, or null. */
    Module module(String adapter) {
        return child(adapter);
    }

    boolean contains(String adapter) {
        return child(adapter) != null;
    }

    Parameter get(String adapter) {
        Module m = child(adapter);
        if (m == null) {
            throw new IllegalArgumentException("no adapter '" + adapter + "' in this layer; it has " + names());
        }
        return ((Entry) m).weight;
    }

    Set<String> names() {
        return children().keySet();
    }

    /** A copy without {@code adapter} (the parameters themselves are shared, not copied). */
    AdapterDict without(String adapter) {
        AdapterDict d = new AdapterDict();
        children().forEach((k, v) -> {
            if (!k.equals(adapter)) {
                d.register(k, v);
            }
        });
        return d;
    }
}
