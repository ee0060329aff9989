package dev.tune4j.lora;

import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.io.safetensors.SafetensorsWriter;
import dev.tune4j.models.ModelFiles;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * peft's adapter folder: {@code adapter_config.json} + {@code adapter_model.safetensors}, with the
 * state-dict keys of {@code get_peft_model_state_dict} / {@code set_peft_model_state_dict}: in memory
 * {@code base_model.model.<path>.lora_A.<adapter>.weight}, on disk the adapter name removed
 * ({@code ...lora_A.weight}); DoRA's {@code lora_magnitude_vector.<adapter>.weight} is stored as
 * {@code ...lora_magnitude_vector}.
 */
final class AdapterFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AdapterFiles.class);
    static final String SAFETENSORS_WEIGHTS_NAME = "adapter_model.safetensors";
    static final String WEIGHTS_NAME = "adapter_model.bin";
    static final String PREFIX = "base_model.model.";

    private AdapterFiles() {}

    /** The on-disk state dict of {@code adapter}: its LoRA weights, plus biases for {@code bias="all"}. */
    static Map<String, Tensor> adapterStateDict(PeftModel peft, String adapter) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        adapterParameters(peft, adapter).forEach((k, p) -> out.put(k, p.value()));
        return out;
    }

    /** The parameters saved for {@code adapter}, keyed by their names in adapter_model.safetensors. */
    static Map<String, Parameter> adapterParameters(PeftModel peft, String adapter) {
        LoraConfig config = peft.peftConfig().get(adapter);
        Map<String, Parameter> out = new LinkedHashMap<>();
        String a = "." + adapter + ".weight";
        peft.namedParameters().forEach((name, p) -> {
            String key = null;
            if (name.endsWith(".lora_A" + a)) {
                key = name.substring(0, name.length() - a.length()) + ".weight";
            } else if (name.endsWith(".lora_B" + a)) {
                key = name.substring(0, name.length() - a.length()) + ".weight";
            } else if (name.endsWith(".lora_magnitude_vector" + a)) {
                key = name.substring(0, name.length() - a.length());
            } else if (name.contains(".modules_to_save." + adapter + ".")) {
                key = name.replace(".modules_to_save." + adapter + ".", ".");
            } else if (config.bias().equals("all") && name.contains("bias") && !name.contains("lora_")) {
                // peft's bias="all" keeps every parameter whose name holds "bias"; "lora_only" looks
                // for "<layer>.bias" beside the LoRA weights, which a wrapped layer does not have
                // (its bias is "<layer>.base_layer.bias"), so peft 0.13 saves none: the same here.
                key = name;
            }
            if (key != null) {
                out.put(key, p);
            }
        });
        return out;
    }

    /** Writes the adapter's weights and config into {@code dir}. */
    static void save(PeftModel peft, String adapter, Path dir) {
        try {
            if (Files.isRegularFile(dir)) {
                throw new IllegalArgumentException("Provided path (" + dir + ") should be a directory, not a file");
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        SafetensorsWriter.write(dir.resolve(SAFETENSORS_WEIGHTS_NAME), adapterStateDict(peft, adapter), Map.of("format", "pt"));
        // peft records inference_mode=true in the saved file, whatever the live value.
        LoraConfig saved = peft.peftConfig().get(adapter).toBuilder().inferenceMode(true).build();
        saved.savePretrained(dir);
        Path card = dir.resolve("README.md");
        if (!Files.exists(card)) {
            String base = saved.baseModelNameOrPath().orElse(null);
            String text = "---\n" + (base != null ? "base_model: " + base + "\n" : "") + "library_name: peft\n---\n\n"
                    + "# LoRA adapter\n\nSaved by tune4j in the peft format (adapter_config.json and "
                    + "adapter_model.safetensors).\n";
            try {
                ModelFiles.writeStringAtomically(card, text);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + card, e);
            }
        }
    }

    /** The module path a state-dict key belongs to: {@code base_model.model.X.lora_A.weight} gives X. */
    static String moduleOf(String key) {
        String k = key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
        int lora = k.lastIndexOf(".lora_");
        if (lora >= 0) {
            return k.substring(0, lora);
        }
        int dot = k.lastIndexOf('.');
        return dot < 0 ? k : k.substring(0, dot);
    }

    /** The adapter weights file of {@code dir}, with a clear error when it is absent. */
    static Path weightsFile(Path dir) {
        Path st = dir.resolve(SAFETENSORS_WEIGHTS_NAME);
        if (Files.isRegularFile(st)) {
            return st;
        }
        if (Files.isRegularFile(dir.resolve(WEIGHTS_NAME))) {
            throw new IllegalArgumentException(dir + " holds " + WEIGHTS_NAME + " (a pickle) but no " + SAFETENSORS_WEIGHTS_NAME
                    + "; tune4j reads safetensors only. Convert it in Python with "
                    + "peft_model.save_pretrained(dir, safe_serialization=True).");
        }
        throw new IllegalArgumentException("Can't find weights for adapter at " + dir + ": no " + SAFETENSORS_WEIGHTS_NAME);
    }

    /**
     * Loads {@code adapter}'s weights from {@code file} into the model. Shapes must fit; keys that
     * match nothing are reported, as are LoRA weights the file lacks.
     */
    static void load(PeftModel peft, String adapter, Path file) {
        Map<String, Parameter> params = peft.namedParameters();
        Map<String, String> saved = new LinkedHashMap<>();
        for (String w : peft.baseModel().modulesToSaveWrappers().keySet()) {
            saved.put(PREFIX + w + ".", PREFIX + w + ".modules_to_save." + adapter + ".");
        }
        Set<String> expected = new LinkedHashSet<>();
        String a = "." + adapter + ".weight";
        params.keySet().forEach(n -> {
            if (n.endsWith(".lora_A" + a) || n.endsWith(".lora_B" + a) || n.endsWith(".lora_magnitude_vector" + a)) {
                expected.add(n);
            }
        });
        Set<String> unexpected = new LinkedHashSet<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String key : f.keys()) {
                String name;
                if (key.endsWith(".lora_A.weight") || key.endsWith(".lora_B.weight")) {
                    name = key.substring(0, key.length() - ".weight".length()) + a;
                } else if (key.endsWith(".lora_magnitude_vector")) {
                    name = key + a;
                } else {
                    name = key;
                    for (var e : saved.entrySet()) {
                        if (key.startsWith(e.getKey()) && !key.startsWith(e.getKey() + "original_module.")) {
                            name = e.getValue() + key.substring(e.getKey().length());
                        }
                    }
                }
                Parameter p = params.get(name);
                if (p == null || (!name.contains("lora_") && !name.contains("bias")
                        && !name.contains(".modules_to_save." + adapter + "."))) {
                    unexpected.add(key);
                    continue;
                }
                Tensor t = f.tensor(key);
                int[] want = p.value().shape();
                if (!Arrays.equals(want, t.shape())) {
                    throw new IllegalArgumentException(file + ": adapter weight '" + key + "' has shape "
                            + Arrays.toString(t.shape()) + " but module " + moduleOf(key) + " needs "
                            + Arrays.toString(want) + " (was the adapter trained on another base model?)");
                }
                // Copied to the heap in F32: peft upcasts adapter weights to float32, and the file is closed here.
                p.set(Tensor.of(t.toFloatArray(), t.shape()));
                expected.remove(name);
            }
        }
        if (!unexpected.isEmpty()) {
            LOG.warn("{}: {} keys match no module of the model and were ignored: {}", file, unexpected.size(),
                    unexpected.stream().limit(5).toList());
        }
        if (!expected.isEmpty()) {
            LOG.warn("{}: {} adapter weights of '{}' are missing from the file and keep their initial values: {}", file,
                    expected.size(), adapter, expected.stream().limit(5).toList());
        }
    }
}
