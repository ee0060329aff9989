package dev.tune4j.lora;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.generation.TokenStreamer;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.CausalLMOutput;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.KvCache;
import dev.tune4j.models.ModelConfig;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import dev.tune4j.train.TrainableWeights;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * peft's {@code PeftModel} (for causal LMs, {@code PeftModelForCausalLM}): a model with LoRA
 * adapters. It is itself a {@link CausalLM}, so it runs, generates and saves like the model it wraps.
 *
 * <pre>{@code
 * // peft: model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=["q_proj", "v_proj"]))
 * PeftModel peft = PeftModel.getPeftModel(model, LoraConfig.builder().r(16).loraAlpha(32)
 *         .targetModules("q_proj", "v_proj").build());
 * peft.printTrainableParameters();
 * peft.savePretrained(Path.of("out/adapter"));
 *
 * // peft: model = PeftModel.from_pretrained(base, "out/adapter"); merged = model.merge_and_unload()
 * PeftModel loaded = PeftModel.fromPretrained(base, Path.of("out/adapter"));
 * CausalLM merged = loaded.mergeAndUnload();
 * }</pre>
 *
 * <p>Parameter names ({@link #namedParameters()}) are peft's: {@code base_model.model.<HF name>},
 * e.g. {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight}.
 */
public final class PeftModel extends Module implements CausalLM, TrainableWeights {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeftModel.class);
    /** The name of the first adapter unless another is given (peft: {@code "default"}). */
    public static final String DEFAULT_ADAPTER = "default";
    /** Seed of adapter initialisation when none is given (as TrainingArguments' default seed). */
    public static final long DEFAULT_SEED = 42;

    private final LoraModel baseModel;

    private PeftModel(CausalLM model, long seed) {
        if (model instanceof PeftModel) {
            throw new IllegalArgumentException("the model already is a PeftModel; use addAdapter or loadAdapter");
        }
        this.baseModel = register("base_model", new LoraModel(model, seed));
    }

    // ---- construction ----

    /**
     * peft's {@code get_peft_model(model, config)}: adapter "default". As in peft the model is
     * changed in place: its target layers are wrapped and its own parameters frozen.
     */
    public static PeftModel getPeftModel(CausalLM model, LoraConfig config) {
        return getPeftModel(model, config, DEFAULT_ADAPTER, DEFAULT_SEED);
    }

    /**
     * peft's {@code get_peft_model(model, config, adapter_name)}. {@code seed} drives the random
     * initialisation of A (the distributions are torch's; the values are not torch's stream).
     */
    public static PeftModel getPeftModel(CausalLM model, LoraConfig config, String adapterName, long seed) {
        PeftModel p = new PeftModel(model, seed);
        if (config.baseModelNameOrPath().isEmpty()) {
            var n = model.config().toJson().get("_name_or_path");
            if (n != null && n.isTextual() && !n.textValue().isEmpty()) {
                config = config.toBuilder().baseModelNameOrPath(n.textValue()).build();
            }
        }
        p.baseModel.injectAdapter(adapterName, config);
        return p;
    }

    /** peft's {@code PeftModel.from_pretrained(model, dir)}: adapter "default", for inference (frozen). */
    public static PeftModel fromPretrained(CausalLM model, Path adapterDir) {
        return fromPretrained(model, adapterDir, DEFAULT_ADAPTER, false);
    }

    /**
     * peft's {@code PeftModel.from_pretrained(model, dir, adapter_name=..., is_trainable=...)}. With
     * {@code isTrainable} false the adapter's weights are frozen ({@code inference_mode}).
     */
    public static PeftModel fromPretrained(CausalLM model, Path adapterDir, String adapterName, boolean isTrainable) {
        PeftModel p = new PeftModel(model, DEFAULT_SEED);
        p.loadAdapter(adapterDir, adapterName, isTrainable);
        return p;
    }

    /** peft's {@code load_adapter(dir, adapter_name)}: adds an adapter from a folder, for inference. */
    public void loadAdapter(Path adapterDir, String adapterName) {
        loadAdapter(adapterDir, adapterName, false);
    }

    /** peft's {@code load_adapter(dir, adapter_name, is_trainable)}. */
    public void loadAdapter(Path adapterDir, String adapterName, boolean isTrainable) {
        if (!Files.isDirectory(adapterDir)) {
            throw new IllegalArgumentException("Can't find adapter folder at '" + adapterDir + "'");
        }
        LoraConfig config = LoraConfig.fromPretrained(adapterDir).toBuilder().inferenceMode(!isTrainable).build();
        Path weights = AdapterFiles.weightsFile(adapterDir);
        // Random inits are overwritten by the file; PiSSA/OLoRA still run, since they rewrite the base weight.
        LoraConfig inject = config.initLoraWeights().mutatesBaseWeight() ? config
                : config.toBuilder().initLoraWeights(InitLoraWeights.DEFAULT).build();
        baseModel.injectAdapter(adapterName, inject);
        baseModel.replaceConfig(adapterName, baseModel.peftConfig().get(adapterName).toBuilder()
                .initLoraWeights(config.initLoraWeights()).build());
        try {
            AdapterFiles.load(this, adapterName, weights);
        } catch (RuntimeException e) {
            baseModel.deleteAdapter(adapterName);
            if (peftConfig().isEmpty()) {
                // Nothing else lives in the wrappers: give the caller's model its own layers back.
                baseModel.unloadAndOptionallyMerge(false, false, null);
            }
            throw e;
        }
        if (!isTrainable) {
            train(false);
        }
        LOG.info("Loaded adapter '{}' from {} ({} LoRA layers, r={}, alpha={}{})", adapterName, adapterDir,
                loraLayers().values().stream().filter(l -> l.hasAdapter(adapterName)).count(), config.r(),
                config.loraAlpha(), config.useDora() ? ", DoRA" : "");
    }

    /** peft's {@code add_adapter(name, config)}: a new, inactive adapter. */
    public void addAdapter(String adapterName, LoraConfig config) {
        baseModel.injectAdapter(adapterName, config);
    }

    // ---- adapters ----

    /** peft's {@code set_adapter(name)}: the adapter used by forward passes from now on. */
    public void setAdapter(String adapterName) {
        baseModel.setAdapter(List.of(adapterName));
    }

    /** peft's {@code base_model.set_adapter([...])}: several adapters active at once, their outputs summed. */
    public void setAdapters(List<String> adapterNames) {
        baseModel.setAdapter(adapterNames);
    }

    /** The first active adapter (peft: {@code active_adapter}). */
    public String activeAdapter() {
        List<String> a = baseModel.activeAdapters();
        return a.isEmpty() ? null : a.get(0);
    }

    /** The active adapters (peft: {@code active_adapters}). */
    public List<String> activeAdapters() {
        return baseModel.activeAdapters();
    }

    /** The adapter configs by name (peft: {@code peft_config}). */
    public Map<String, LoraConfig> peftConfig() {
        return baseModel.peftConfig();
    }

    /** peft's {@code delete_adapter(name)}. */
    public void deleteAdapter(String adapterName) {
        baseModel.deleteAdapter(adapterName);
    }

    /**
     * peft's {@code with model.disable_adapter():}: inside the scope the model computes the base
     * model's output; closing the scope turns the adapters back on.
     *
     * <pre>{@code
     * try (var off = peft.disableAdapter()) { baseLogits = peft.forward(ids, null, null).logits(); }
     * }</pre>
     */
    public AdapterScope disableAdapter() {
        baseModel.enableAdapterLayers(false);
        return () -> baseModel.enableAdapterLayers(true);
    }

    /** An {@link AutoCloseable} whose close throws nothing. */
    @FunctionalInterface
    public interface AdapterScope extends AutoCloseable {
        @Override
        void close();
    }

    /** The tuner (peft: {@code base_model}), holding the LoRA layers. */
    public LoraModel baseModel() {
        return baseModel;
    }

    /** The wrapped model, with its LoRA layers in place (peft: {@code get_base_model()}). */
    public CausalLM getBaseModel() {
        return baseModel.model();
    }

    /** The LoRA layers by module path. */
    public Map<String, LoraLinear> loraLayers() {
        return baseModel.loraLayers();
    }

    // ---- merging ----

    /** peft's {@code merge_and_unload()}: folds the active adapters into the weights and returns the plain model. */
    public CausalLM mergeAndUnload() {
        return mergeAndUnload(null, false);
    }

    /**
     * peft's {@code merge_and_unload(safe_merge=..., adapter_names=...)}. The returned model saves as
     * a plain checkpoint; this PeftModel must not be used (or closed) afterwards: close the returned
     * model instead.
     */
    public CausalLM mergeAndUnload(List<String> adapterNames, boolean safeMerge) {
        return baseModel.unloadAndOptionallyMerge(true, safeMerge, adapterNames);
    }

    /** peft's {@code unload()}: the model without its LoRA layers, unmerged. */
    public CausalLM unload() {
        return baseModel.unloadAndOptionallyMerge(false, false, null);
    }

    /** peft's {@code merge_adapter()}: merges the active adapters, keeping the LoRA layers (undo with unmerge). */
    public void mergeAdapter() {
        baseModel.mergeAdapter(null, false);
    }

    /** peft's {@code merge_adapter(adapter_names=...)}. */
    public void mergeAdapter(List<String> adapterNames, boolean safeMerge) {
        baseModel.mergeAdapter(adapterNames, safeMerge);
    }

    /** peft's {@code unmerge_adapter()}. */
    public void unmergeAdapter() {
        baseModel.unmergeAdapter();
    }

    /** peft's {@code add_weighted_adapter(adapters, weights, name)}: combination type "svd". */
    public void addWeightedAdapter(List<String> adapters, List<Double> weights, String adapterName) {
        addWeightedAdapter(adapters, weights, adapterName, WeightedAdapterOptions.builder().build());
    }

    /** peft's {@code add_weighted_adapter(adapters, weights, name, combination_type=...)}. */
    public void addWeightedAdapter(List<String> adapters, List<Double> weights, String adapterName, String combinationType) {
        addWeightedAdapter(adapters, weights, adapterName, WeightedAdapterOptions.of(combinationType));
    }

    /**
     * peft's {@code add_weighted_adapter}: a new adapter {@code adapterName} combining others, with
     * peft's exact semantics (see {@link WeightedAdapterOptions}): the new adapter has
     * {@code lora_alpha = r} (scaling 1); "linear" combines A and B separately with
     * {@code sqrt(w_i s_i)}; "cat" stacks {@code w_i s_i A_i} and {@code B_i}; "svd" factorises
     * {@code sum w_i s_i^2 B_i A_i} (peft applies the scaling twice). Nothing happens when the name
     * exists already, as in peft.
     */
    public void addWeightedAdapter(List<String> adapters, List<Double> weights, String adapterName,
                                   WeightedAdapterOptions options) {
        baseModel.addWeightedAdapter(adapters, weights, adapterName, options);
    }

    // ---- parameters ----

    /** peft's {@code get_nb_trainable_parameters()}: {trainable, all}. */
    public long[] getNbTrainableParameters() {
        long trainable = 0;
        long all = 0;
        for (Parameter p : namedParameters().values()) {
            if (p.isStatistic()) {
                continue; // bitsandbytes' quant state is not a parameter in torch
            }
            all += p.numel();
            if (p.requiresGrad()) {
                trainable += p.numel();
            }
        }
        return new long[] {trainable, all};
    }

    /**
     * The line peft's {@code print_trainable_parameters()} prints, without the newline:
     * {@code trainable params: 18,688 || all params: 176,704 || trainable%: 10.5759}.
     */
    public String trainableParametersLine() {
        long[] n = getNbTrainableParameters();
        if (n[1] == 0) {
            throw new IllegalStateException("the model has no parameters");
        }
        // Python's "{:.4f}" rounds the exact binary value half-to-even; BigDecimal(double) does the same.
        String pct = new BigDecimal(100.0 * n[0] / n[1]).setScale(4, RoundingMode.HALF_EVEN).toPlainString();
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %s", n[0], n[1], pct);
    }

    /** peft's {@code print_trainable_parameters()}: prints {@link #trainableParametersLine()} to stdout. */
    public void printTrainableParameters() {
        System.out.println(trainableParametersLine());
    }

    // ---- saving ----

    /**
     * peft's {@code save_pretrained(dir)}: every adapter's adapter_config.json and
     * adapter_model.safetensors, "default" in {@code dir} and any other in {@code dir/<name>}.
     */
    @Override
    public void savePretrained(Path dir) {
        savePretrained(dir, null);
    }

    /** peft's {@code save_pretrained(dir, selected_adapters=[...])}. */
    public void savePretrained(Path dir, List<String> selectedAdapters) {
        List<String> names = selectedAdapters == null ? List.copyOf(peftConfig().keySet()) : selectedAdapters;
        for (String n : names) {
            if (!peftConfig().containsKey(n)) {
                throw new IllegalArgumentException("cannot save adapter '" + n + "': the model has " + peftConfig().keySet());
            }
            AdapterFiles.save(this, n, n.equals(DEFAULT_ADAPTER) ? dir : dir.resolve(n));
        }
    }

    // ---- training ----

    /**
     * The trained parameters keyed as the Trainer's checkpoints store them: the adapter file's keys
     * ({@code base_model.model.<module>.lora_A.weight}), prefixed with {@code <adapter>/} for
     * adapters other than "default", which peft saves in a subfolder.
     */
    @Override
    public Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new java.util.LinkedHashMap<>();
        for (String a : peftConfig().keySet()) {
            String prefix = a.equals(DEFAULT_ADAPTER) ? "" : a + "/";
            AdapterFiles.adapterParameters(this, a).forEach((k, p) -> {
                if (p.requiresGrad()) {
                    out.put(prefix + k, p);
                }
            });
        }
        return out;
    }

    /**
     * transformers' {@code gradient_checkpointing_enable()} on the wrapped model (peft forwards it
     * there): decoder layers, LoRA layers included, are recomputed in backward instead of keeping
     * their activations.
     */
    @Override
    public void gradientCheckpointing(boolean on) {
        if (!(baseModel.model().module() instanceof dev.tune4j.models.PreTrainedCausalLM m)) {
            throw new UnsupportedOperationException(baseModel.model().getClass().getSimpleName()
                    + " does not support gradient checkpointing");
        }
        m.gradientCheckpointing(on);
    }

    /** Reloads every adapter's weights from a folder written by {@link #savePretrained(Path)} (a checkpoint). */
    @Override
    public void loadTrainableWeights(Path checkpointDir) {
        for (String a : peftConfig().keySet()) {
            Path dir = a.equals(DEFAULT_ADAPTER) ? checkpointDir : checkpointDir.resolve(a);
            AdapterFiles.load(this, a, AdapterFiles.weightsFile(dir));
        }
    }

    // ---- running ----

    @Override
    public ModelConfig config() {
        return baseModel.model().config();
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public CausalLMOutput forward(ForwardArgs args) {
        return baseModel.model().forward(args);
    }

    /**
     * A forward pass where row {@code b} of the batch uses adapter {@code adapterNames.get(b)}
     * ({@code "__base__"}: none), peft's {@code model(input_ids, adapter_names=[...])}. Not for
     * DoRA adapters, merged adapters or training mode, as in peft. The selection belongs to the
     * calling thread, so several threads may serve different adapter mixes from one model at once
     * (as long as none of them switches, merges or changes adapters meanwhile).
     */
    public CausalLMOutput forward(ForwardArgs args, List<String> adapterNames) {
        return withRowAdapters(adapterNames, args.inputIds().length, () -> baseModel.model().forward(args));
    }

    /** peft's {@code generate(..., adapter_names=[...])}: one adapter per row of the batch. */
    public int[][] generate(int[][] inputIds, int[][] attentionMask, GenerationConfig config, List<String> adapterNames) {
        return withRowAdapters(adapterNames, inputIds.length, () -> generate(inputIds, attentionMask, config));
    }

    /**
     * One KV-cached decoding step ({@link PreTrainedCausalLM#step}) where row {@code b} uses adapter
     * {@code adapterNames.get(b)} ({@code "__base__"}: none): the LoRA part is computed per adapter
     * group of rows, never by merging. Same rules as {@link #forward(ForwardArgs, List)}; the
     * building block of multi-adapter serving.
     *
     * @return the last position's logits per row, [batch][vocab]
     * @throws UnsupportedOperationException when the wrapped model has no KV-cached step
     */
    public float[][] step(KvCache cache, int[][] tokens, int[][] positionIds, int[][] attentionMask,
            List<String> adapterNames) {
        if (!(baseModel.model() instanceof PreTrainedCausalLM m)) {
            throw new UnsupportedOperationException("step needs a PreTrainedCausalLM base, found "
                    + baseModel.model().getClass().getName());
        }
        return withRowAdapters(adapterNames, tokens.length, () -> m.step(cache, tokens, positionIds, attentionMask));
    }

    @Override
    public int[][] generate(int[][] inputIds, int[][] attentionMask, GenerationConfig config, TokenStreamer streamer) {
        return baseModel.model().generate(inputIds, attentionMask, config, streamer);
    }

    private <T> T withRowAdapters(List<String> names, int rows, java.util.function.Supplier<T> body) {
        if (names.size() != rows) {
            throw new IllegalArgumentException("Length of `adapter_names` should be the same as the number of inputs, "
                    + "but got " + names.size() + " and " + rows + " respectively.");
        }
        if (isTraining()) {
            throw new IllegalStateException("Cannot pass `adapter_names` when the model is in training mode.");
        }
        Set<String> unknown = new HashSet<>(names);
        unknown.remove(LoraLinear.BASE);
        unknown.removeAll(peftConfig().keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Trying to infer with non-existing adapter(s): " + unknown
                    + "; available: " + peftConfig().keySet());
        }
        for (String n : names) {
            if (!n.equals(LoraLinear.BASE) && peftConfig().get(n).useDora()) {
                throw new IllegalArgumentException("Cannot pass `adapter_names` when DoRA is enabled (adapter " + n + ").");
            }
        }
        Map<String, LoraLinear> layers = loraLayers();
        for (LoraLinear l : layers.values()) {
            if (l.isMerged()) {
                throw new IllegalStateException("Cannot pass `adapter_names` when there are merged adapters, please call "
                        + "`unmerge_adapter` first.");
            }
        }
        String[] arr = names.toArray(String[]::new);
        var wrappers = baseModel.modulesToSaveWrappers().values();
        layers.values().forEach(l -> l.rowAdapters(arr));
        wrappers.forEach(w -> w.rowAdapters(arr));
        try {
            return body.get();
        } finally {
            layers.values().forEach(l -> l.rowAdapters(null));
            wrappers.forEach(w -> w.rowAdapters(null));
        }
    }

    @Override
    public GenerationConfig generationConfig() {
        return baseModel.model().generationConfig();
    }

    @Override
    public IncrementalDecoder newDecoder(int batch, int capacityHint) {
        return baseModel.model().newDecoder(batch, capacityHint);
    }

    @Override
    public void close() {
        baseModel.model().close();
    }

    @Override
    public String toString() {
        return "PeftModel(" + baseModel + ")";
    }
}
