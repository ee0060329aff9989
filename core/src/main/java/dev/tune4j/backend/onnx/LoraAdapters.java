package dev.tune4j.backend.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The LoRA slots of a compiled model and the adapters loaded into them, by name; which one is active. */
final class LoraAdapters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoraAdapters.class);

    private final Map<String, LoraSlot> slots;
    private final Map<String, LoraSlot> byParameter = new HashMap<>();
    private final Map<String, LoadedAdapter> loaded = new LinkedHashMap<>();
    private volatile LoadedAdapter active;

    LoraAdapters(Map<String, LoraSlot> slots) {
        this.slots = Map.copyOf(slots);
        for (LoraSlot s : slots.values()) {
            byParameter.put(s.a(), s);
            byParameter.put(s.b(), s);
        }
    }

    List<String> modules() {
        return slots.keySet().stream().sorted().toList();
    }

    /** Checks {@code adapter} against the slots, then hands its file's bytes to ORT. */
    void load(String name, OnnxAdapterFile adapter, Supplier<byte[]> bytes, String source) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an adapter needs a name");
        }
        if (slots.isEmpty()) {
            throw new IllegalStateException("this model was compiled without LoRA slots: load it with"
                    + " LoadOptions.builder().loraTargetModules(...) (peft's target_modules, or \"all-linear\")"
                    + " to serve adapters");
        }
        check(adapter, source);
        synchronized (this) {
            if (loaded.containsKey(name)) {
                throw new IllegalArgumentException("an adapter named '" + name + "' is already loaded; deleteAdapter it first");
            }
            loaded.put(name, LoadedAdapter.create(name, bytes.get(), source));
        }
        LOG.debug("LoRA adapter '{}' loaded from {}: {} tensors", name, source, adapter.parameters().size());
    }

    private void check(OnnxAdapterFile adapter, String source) {
        List<String> unslotted = new ArrayList<>();
        Set<String> leaves = new java.util.TreeSet<>();
        for (String p : adapter.parameters().keySet()) {
            if (!byParameter.containsKey(p)) {
                unslotted.add(p);
                String module = p.replaceFirst("\\.lora_[AB]\\.weight$", "");
                leaves.add(module.substring(module.lastIndexOf('.') + 1));
            }
        }
        if (!unslotted.isEmpty()) {
            throw new IllegalArgumentException(source + ": " + unslotted.size() + " parameters have no LoRA slot in this"
                    + " model, e.g. '" + unslotted.get(0) + "'. Slots exist only for the loraTargetModules given when"
                    + " loading: " + abbreviate(modules()) + "; to serve this adapter, load the model with"
                    + " loraTargetModules covering " + leaves + " (slots take <module>.lora_A.weight and <module>.lora_B.weight)");
        }
        Map<String, Integer> ranks = new HashMap<>();
        for (var e : adapter.parameters().entrySet()) {
            String p = e.getKey();
            LoraSlot slot = byParameter.get(p);
            int[] shape = e.getValue().shape();
            boolean isA = p.equals(slot.a());
            int rank = shape.length == 2 ? (isA ? shape[0] : shape[1]) : -1;
            int[] want = isA ? new int[] {rank, slot.inFeatures()} : new int[] {slot.outFeatures(), rank};
            if (shape.length != 2 || !Arrays.equals(shape, want)) {
                throw new IllegalArgumentException(source + ": parameter '" + p + "' has shape " + Arrays.toString(shape)
                        + " but its slot takes " + (isA ? "[r, " + slot.inFeatures() + "]" : "[" + slot.outFeatures() + ", r]")
                        + " (was the adapter trained on another base model?)");
            }
            Integer other = ranks.put(slot.module(), rank);
            if (other != null && other != rank) {
                throw new IllegalArgumentException(source + ": " + slot.module() + " has lora_A of rank "
                        + (isA ? rank : other) + " but lora_B of rank " + (isA ? other : rank));
            }
        }
        for (String module : ranks.keySet()) {
            LoraSlot s = slots.get(module);
            if (!adapter.parameters().containsKey(s.a()) || !adapter.parameters().containsKey(s.b())) {
                throw new IllegalArgumentException(source + ": " + module + " has only one of "
                        + s.a() + " and " + s.b());
            }
        }
    }

    private static String abbreviate(List<String> names) {
        if (names.size() <= 6) {
            return names.toString();
        }
        return names.subList(0, 6) + " and " + (names.size() - 6) + " more";
    }

    synchronized LoadedAdapter get(String name) {
        if (name == null) {
            return null;
        }
        LoadedAdapter a = loaded.get(name);
        if (a == null) {
            throw new IllegalArgumentException("Adapter " + name + " not found; loaded adapters: " + loaded.keySet());
        }
        return a;
    }

    void setActive(String name) {
        active = get(name);
    }

    LoadedAdapter active() {
        return active;
    }

    Optional<String> activeName() {
        LoadedAdapter a = active;
        return a == null ? Optional.empty() : Optional.of(a.name());
    }

    synchronized Set<String> names() {
        return new LinkedHashSet<>(loaded.keySet());
    }

    void delete(String name) {
        LoadedAdapter a;
        synchronized (this) {
            a = get(name);
            loaded.remove(name);
            if (active == a) {
                active = null;
            }
        }
        a.close();   // waits for runs using it to finish
    }

    @Override
    public void close() {
        List<LoadedAdapter> all;
        synchronized (this) {
            all = new ArrayList<>(loaded.values());
            loaded.clear();
            active = null;
        }
        all.forEach(LoadedAdapter::close);
    }
}
