package dev.tune4j.lora;

import dev.tune4j.backend.Backend;
import dev.tune4j.backend.cpu.CpuBackend;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Conv1D;
import dev.tune4j.nn.Linear;
import dev.tune4j.nn.LinearLayer;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * peft's {@code LoraModel}, the tuner under {@link PeftModel}: finds the target modules, wraps them
 * in {@link LoraLinear} through {@link Module#replaceChild}, and merges, unloads, deletes and
 * combines adapters. Its single child {@code model} is the wrapped model, so parameter names under a
 * {@link PeftModel} read {@code base_model.model.<HF name>} as in peft.
 */
public final class LoraModel extends Module {
    private static final Logger LOG = LoggerFactory.getLogger(LoraModel.class);
    /** peft's {@code TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING} for the architectures tune4j runs. */
    private static final Map<String, List<String>> DEFAULT_TARGETS = Map.of(
            "llama", List.of("q_proj", "v_proj"),
            "mistral", List.of("q_proj", "v_proj"),
            "mixtral", List.of("q_proj", "v_proj"),
            "qwen2", List.of("q_proj", "v_proj"),
            "gemma", List.of("q_proj", "v_proj"),
            "gemma2", List.of("q_proj", "v_proj"),
            "gpt2", List.of("c_attn"),
            "gpt_bigcode", List.of("c_attn"));

    private final CausalLM model;
    private final Module root;
    private final Backend backend;
    private final long seed;
    private final Map<String, LoraConfig> peftConfig = new LinkedHashMap<>();
    private List<String> activeAdapters = new ArrayList<>();

    LoraModel(CausalLM model, long seed) {
        this.model = model;
        this.root = model.module();
        this.backend = root instanceof PreTrainedCausalLM p ? p.backend() : CpuBackend.INSTANCE;
        this.seed = seed;
        register("model", root);
    }

    /** The wrapped model. */
    public CausalLM model() {
        return model;
    }

    /** The adapter configs by name (peft: {@code peft_config}). */
    public Map<String, LoraConfig> peftConfig() {
        return java.util.Collections.unmodifiableMap(peftConfig);
    }

    /** The active adapters. */
    public List<String> activeAdapters() {
        return List.copyOf(activeAdapters);
    }

    /** Every modules_to_save wrapper by its module path. */
    public Map<String, ModulesToSaveWrapper> modulesToSaveWrappers() {
        Map<String, ModulesToSaveWrapper> out = new LinkedHashMap<>();
        walk(root, "", (path, m) -> {
            if (m instanceof ModulesToSaveWrapper w) {
                out.put(path, w);
            }
        });
        return out;
    }

    /** Every LoRA layer by its module path in the wrapped model ({@code model.layers.0.self_attn.q_proj}). */
    public Map<String, LoraLinear> loraLayers() {
        Map<String, LoraLinear> out = new LinkedHashMap<>();
        walk(root, "", (path, m) -> {
            if (m instanceof LoraLinear l) {
                out.put(path, l);
            }
        });
        return out;
    }

    /** Walks the module tree, not descending into LoRA layers (their children are the adapter's own). */
    private static void walk(Module m, String path, java.util.function.BiConsumer<String, Module> visit) {
        visit.accept(path, m);
        if (m instanceof LoraLinear || m instanceof ModulesToSaveWrapper) {
            return;
        }
        for (var e : m.children().entrySet()) {
            walk(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), visit);
        }
    }

    // ---- adding adapters ----

    /**
     * peft's {@code inject_adapter}: wraps every module that {@code config} targets, or adds the
     * adapter to modules wrapped already. The first adapter becomes active; later ones are added
     * inactive and frozen.
     */
    void injectAdapter(String name, LoraConfig config) {
        if (peftConfig.containsKey(name)) {
            throw new IllegalArgumentException("adapter '" + name + "' already exists; delete it first or pick another name");
        }
        if (name.isEmpty() || name.contains(".") || name.equals(LoraLinear.BASE)) {
            throw new IllegalArgumentException("invalid adapter name '" + name + "'");
        }
        if (!peftConfig.isEmpty() && !config.bias().equals("none")) {
            throw new IllegalArgumentException("LoraModel supports only 1 adapter with bias. When using multiple "
                    + "adapters, set bias to 'none' for all adapters.");
        }
        if (config.layerReplication() != null) {
            throw new UnsupportedOperationException("layer_replication is not supported by tune4j");
        }
        config = prepareConfig(config);
        Map<String, Module> targets = new LinkedHashMap<>();
        Map<String, Module> toSave = new LinkedHashMap<>();
        List<String> candidates = new ArrayList<>();
        final LoraConfig c = config;
        walk(root, "", (path, m) -> {
            if (path.isEmpty()) {
                return;
            }
            if (m instanceof LinearLayer) {
                candidates.add(path);
            }
            // peft checks modules_to_save first, by a plain suffix test, and does not LoRA-target those modules.
            if (c.modulesToSave() != null && c.modulesToSave().stream().anyMatch(path::endsWith)) {
                toSave.put(path, m);
            } else if (targetModuleExists(c, path) && !excluded(c, path)) {
                targets.put(path, m);
            }
        });
        for (var e : toSave.entrySet()) {
            Module m = e.getValue();
            if (!(m instanceof ModulesToSaveWrapper) && !(m instanceof Linear)) {
                throw new UnsupportedOperationException("modules_to_save matches " + e.getKey() + " ("
                        + m.getClass().getSimpleName() + "); tune4j keeps trainable copies of Linear layers (such as "
                        + "lm_head) only: models call embeddings and norms directly, not through a replaceable seam");
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("Target modules " + describeTargets(config) + " not found in the base model. "
                    + "Please check the target modules and try again. Linear layers of this model include: "
                    + candidates.stream().limit(8).collect(Collectors.joining(", "))
                    + (candidates.size() > 8 ? ", ... (" + candidates.size() + " in all)" : ""));
        }
        for (var e : targets.entrySet()) {
            Module m = e.getValue();
            if (!(m instanceof LinearLayer)) {
                throw new IllegalArgumentException("Target module " + e.getKey() + " (" + m.getClass().getSimpleName()
                        + ") is not supported. Currently, only linear layers (Linear, Conv1D, 4-bit linears) can take "
                        + "a LoRA adapter.");
            }
        }
        if (config.initLoraWeights().value().equalsIgnoreCase("loftq")) {
            throw new UnsupportedOperationException("init_lora_weights=\"loftq\" is not supported by tune4j");
        }
        boolean needsDense = config.useDora() || config.initLoraWeights().mutatesBaseWeight();
        boolean sawConv1d = false;
        boolean sawLinear = false;
        for (var e : targets.entrySet()) {
            Module m = e.getValue();
            LinearLayer base = m instanceof LoraLinear l ? l.baseLayer() : (LinearLayer) m;
            sawConv1d |= base instanceof Conv1D;
            sawLinear |= base instanceof Linear;
            if (needsDense && !(base instanceof Linear) && !(base instanceof Conv1D)) {
                throw new UnsupportedOperationException("target " + e.getKey() + " is a " + base.getClass().getSimpleName()
                        + ": DoRA, PiSSA and OLoRA read the dense weight and need a Linear or Conv1D base layer");
            }
        }
        if (sawConv1d && !config.fanInFanOut()) {
            LOG.warn("fan_in_fan_out is set to False but the target module is `Conv1D`. Setting fan_in_fan_out to True.");
            config = config.toBuilder().fanInFanOut(true).build();
        } else if (sawLinear && !sawConv1d && config.fanInFanOut()) {
            LOG.warn("fan_in_fan_out is set to True but the target module is `torch.nn.Linear`. Setting fan_in_fan_out to False.");
            config = config.toBuilder().fanInFanOut(false).build();
        }
        peftConfig.put(name, config);
        for (var e : toSave.entrySet()) {
            if (e.getValue() instanceof ModulesToSaveWrapper w) {
                w.update(name);
            } else {
                var parent = root.findParent(e.getKey()).orElseThrow();
                ModulesToSaveWrapper w = new ModulesToSaveWrapper((Linear) e.getValue(), name);
                parent.getKey().replaceChild(parent.getValue(), w);
            }
        }
        boolean first = activeAdapters.isEmpty();
        if (first) {
            activeAdapters = new ArrayList<>(List.of(name));
        }
        Set<Parameter> tied = tiedParameters();
        for (var e : targets.entrySet()) {
            String path = e.getKey();
            String key = patternKey(config, path);
            int rank = config.rankPattern().getOrDefault(key, config.r());
            double alpha = config.alphaPattern().containsKey(key)
                    ? config.alphaPattern().get(key).doubleValue() : config.loraAlpha();
            SplittableRandom rng = new SplittableRandom(mix(seed, path, name));
            LoraLinear layer;
            if (e.getValue() instanceof LoraLinear l) {
                layer = l;
            } else {
                LinearLayer base = (LinearLayer) e.getValue();
                Parameter w = base instanceof Linear li ? li.weight() : base instanceof Conv1D cv ? cv.weight() : null;
                if (w != null && tied.contains(w)) {
                    LOG.warn("Model with `tie_word_embeddings=True` and the target module {} is part of the adapter. "
                            + "This can lead to complications, for example when merging the adapter.", path);
                }
                layer = new LoraLinear(base, backend, mix(seed, path, "dropout"));
                var parent = root.findParent(path).orElseThrow();
                parent.getKey().replaceChild(parent.getValue(), layer);
            }
            layer.updateLayer(name, rank, alpha, config.loraDropout(), config.initLoraWeights(), config.useRslora(),
                    config.useDora(), rng);
        }
        markOnlyAdaptersAsTrainable();
        setAdapter(activeAdapters);
        if (config.inferenceMode()) {
            freezeAdapter(name);
        }
    }

    /** Fills in the architecture's default targets and expands {@code "all-linear"}, as peft does. */
    private LoraConfig prepareConfig(LoraConfig config) {
        if (config.targetModules() == null && config.targetModulesRegex().isEmpty()) {
            List<String> d = DEFAULT_TARGETS.get(model.config().modelType());
            if (d == null) {
                throw new IllegalArgumentException("Please specify `target_modules` in `peft_config`: there is no default "
                        + "for model_type '" + model.config().modelType() + "'");
            }
            config = config.toBuilder().targetModules(d).build();
        }
        if (config.isAllLinear()) {
            Set<String> names = new LinkedHashSet<>();
            walk(root, "", (path, m) -> {
                LinearLayer l = m instanceof LoraLinear ll ? ll.baseLayer() : m instanceof LinearLayer x ? x : null;
                // The output embedding stays out, as in peft (QLoRA's find_all_linear_names).
                if (l != null && !path.equals("lm_head")) {
                    names.add(path.substring(path.lastIndexOf('.') + 1));
                }
            });
            names.remove("lm_head");
            config = config.toBuilder().targetModules(new ArrayList<>(names)).build();
        }
        if (config.targetModules() != null
                && new LinkedHashSet<>(config.targetModules()).size() >= MIN_TARGET_MODULES_FOR_OPTIMIZATION) {
            List<String> targets = config.targetModules();
            List<String> others = root.namedModules().keySet().stream()
                    .filter(n -> targets.stream().noneMatch(t -> n.equals(t) || n.endsWith("." + t))).toList();
            List<String> minimal = findMinimalTargetModules(targets, others);
            if (minimal.size() < targets.size()) {
                config = config.toBuilder().targetModules(minimal).build();
            }
        }
        return config;
    }

    /** peft's {@code MIN_TARGET_MODULES_FOR_OPTIMIZATION}. */
    static final int MIN_TARGET_MODULES_FOR_OPTIMIZATION = 20;

    /**
     * peft's {@code _find_minimal_target_modules}: the fewest name suffixes that still select exactly
     * {@code targets} and none of {@code others}. peft shortens long target lists this way (and saves
     * the short list), so tune4j does the same to write the same adapter_config.json.
     */
    static List<String> findMinimalTargetModules(List<String> targets, List<String> others) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("target_modules should be a list or set of strings.");
        }
        if (targets.contains("")) {
            throw new IllegalArgumentException("target_modules should not contain an empty string.");
        }
        Set<String> otherSet = new LinkedHashSet<>(others);
        if (targets.stream().anyMatch(otherSet::contains)) {
            throw new IllegalArgumentException("target_modules and other_module_names contain common elements");
        }
        Set<String> otherSuffixes = new java.util.HashSet<>();
        for (String o : otherSet) {
            otherSuffixes.addAll(suffixes(o));
        }
        List<List<String>> bySuffixes = new ArrayList<>();
        for (String t : new LinkedHashSet<>(targets)) {
            bySuffixes.add(suffixes(t));
        }
        // Sorted by the suffix lists (shortest suffix first), for a deterministic result as in peft.
        bySuffixes.sort((x, y) -> {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                int c = x.get(i).compareTo(y.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(x.size(), y.size());
        });
        LinkedHashSet<String> required = new LinkedHashSet<>();
        for (List<String> sfx : bySuffixes) {
            String item = sfx.get(sfx.size() - 1);
            for (String suffix : sfx) {
                if (required.contains(suffix) || otherSuffixes.contains(suffix)) {
                    continue;
                }
                if (required.stream().noneMatch(r -> item.endsWith("." + r))) {
                    required.add(suffix);
                    break;
                }
            }
        }
        return required.isEmpty() ? List.copyOf(new LinkedHashSet<>(targets)) : List.copyOf(required);
    }

    /** The dotted suffixes of a module name, shortest first: a.b.c gives c, b.c, a.b.c. */
    private static List<String> suffixes(String name) {
        String[] parts = name.split("\\.", -1);
        List<String> out = new ArrayList<>();
        for (int i = parts.length - 1; i >= 0; i--) {
            out.add(String.join(".", java.util.Arrays.copyOfRange(parts, i, parts.length)));
        }
        return out;
    }

    private static String describeTargets(LoraConfig c) {
        return c.targetModules() != null ? c.targetModules().toString() : "'" + c.targetModulesRegex().orElse("") + "'";
    }

    /** peft's {@code check_target_module_exists} (suffix match for lists, full match for a regex, layer filters). */
    static boolean targetModuleExists(LoraConfig c, String key) {
        if (c.targetModulesRegex().isPresent()) {
            return Pattern.compile(c.targetModulesRegex().get()).matcher(key).matches();
        }
        List<String> targets = c.targetModules();
        if (targets.contains(key)) {
            return true;
        }
        boolean found = targets.stream().anyMatch(t -> key.endsWith("." + t));
        List<Integer> layers = c.layersToTransform();
        if (found && layers != null && !layers.isEmpty()) {
            Matcher m = null;
            List<String> patterns = c.layersPattern();
            if (patterns == null || patterns.isEmpty()) {
                Matcher x = Pattern.compile(".*\\.[^.]*\\.(\\d+)\\.").matcher(key);
                m = x.lookingAt() ? x : null;
            } else {
                for (String p : patterns) {
                    Matcher x = Pattern.compile(".*\\." + p + "\\.(\\d+)\\.").matcher(key);
                    if (x.lookingAt()) {
                        m = x;
                        break;
                    }
                }
            }
            found = m != null && layers.contains(Integer.parseInt(m.group(1)));
        }
        return found;
    }

    /** {@code exclude_modules} (newer peft): names by suffix, or a full-match regex. */
    static boolean excluded(LoraConfig c, String key) {
        if (c.excludeModulesRegex().isPresent()) {
            return Pattern.compile(c.excludeModulesRegex().get()).matcher(key).matches();
        }
        List<String> ex = c.excludeModules();
        return ex != null && ex.stream().anyMatch(e -> key.equals(e) || key.endsWith("." + e));
    }

    /**
     * peft 0.13's rank/alpha pattern lookup: the first key of rank_pattern then alpha_pattern for
     * which {@code re.match(".*\.KEY$", name)} holds, else the module name itself.
     */
    static String patternKey(LoraConfig c, String key) {
        List<String> keys = new ArrayList<>(c.rankPattern().keySet());
        keys.addAll(c.alphaPattern().keySet());
        for (String k : keys) {
            if (Pattern.compile(".*\\." + k + "$").matcher(key).lookingAt()) {
                return k;
            }
        }
        return key;
    }

    private Set<Parameter> tiedParameters() {
        Map<Parameter, Integer> uses = new IdentityHashMap<>();
        walk(root, "", (path, m) -> m.parameters().values().forEach(p -> uses.merge(p, 1, Integer::sum)));
        Set<Parameter> tied = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        uses.forEach((p, n) -> {
            if (n > 1) {
                tied.add(p);
            }
        });
        return tied;
    }

    static long mix(long seed, String a, String b) {
        long h = seed * 0x9E3779B97F4A7C15L + a.hashCode();
        h = h * 0xBF58476D1CE4E5B9L + b.hashCode();
        return h ^ (h >>> 31);
    }

    /** Replaces the stored config of an existing adapter (a load keeps the file's init_lora_weights). */
    void replaceConfig(String name, LoraConfig config) {
        if (!peftConfig.containsKey(name)) {
            throw new IllegalArgumentException("Adapter " + name + " does not exist");
        }
        peftConfig.put(name, config);
    }

    // ---- trainability ----

    /** peft's {@code _mark_only_adapters_as_trainable}: everything without "lora_" frozen; bias per config. */
    private void markOnlyAdaptersAsTrainable() {
        Map<String, Parameter> params = namedParameters();
        params.forEach((n, p) -> {
            if (!n.contains("lora_")) {
                p.requiresGrad(false);
            }
        });
        for (String a : activeAdapters) {
            String bias = peftConfig.get(a).bias();
            if (bias.equals("all")) {
                params.forEach((n, p) -> {
                    if (n.contains("bias")) {
                        p.requiresGrad(true);
                    }
                });
            } else if (bias.equals("lora_only")) {
                for (LoraLinear l : loraLayers().values()) {
                    Parameter b = l.baseBias();
                    if (b != null) {
                        b.requiresGrad(true);
                    }
                }
            }
        }
    }

    /** Freezes every weight of {@code adapter} (peft: {@code _freeze_adapter}). */
    void freezeAdapter(String adapter) {
        for (ModulesToSaveWrapper w : modulesToSaveWrappers().values()) {
            if (w.hasAdapter(adapter)) {
                w.copy(adapter).requiresGrad(false);
            }
        }
        for (LoraLinear l : loraLayers().values()) {
            if (l.hasAdapter(adapter)) {
                l.loraA(adapter).requiresGrad(false);
                l.loraB(adapter).requiresGrad(false);
                if (l.useDora(adapter)) {
                    l.magnitudeVector(adapter).requiresGrad(false);
                }
            }
        }
    }

    // ---- switching ----

    /**
     * peft's {@code set_adapter}: activates {@code names} in every layer (unmerging first when
     * merged); their weights become trainable unless their config is in inference mode.
     */
    void setAdapter(List<String> names) {
        for (String n : names) {
            if (!peftConfig.containsKey(n)) {
                throw new IllegalArgumentException("Adapter " + n + " not found; available: " + peftConfig.keySet());
            }
        }
        for (LoraLinear l : loraLayers().values()) {
            if (l.isMerged()) {
                LOG.warn("Adapter cannot be set when the model is merged. Unmerging the model first.");
                l.unmerge();
            }
            l.setAdapter(names);
        }
        for (ModulesToSaveWrapper w : modulesToSaveWrappers().values()) {
            w.setAdapter(names.stream().filter(w::hasAdapter).findFirst().orElse(null));
        }
        this.activeAdapters = new ArrayList<>(names);
        for (String n : names) {
            if (peftConfig.get(n).inferenceMode()) {
                freezeAdapter(n);
            }
        }
    }

    /** peft's {@code enable_adapter_layers} / {@code disable_adapter_layers}. */
    void enableAdapterLayers(boolean enabled) {
        if (!enabled) {
            for (String a : activeAdapters) {
                String bias = peftConfig.get(a).bias();
                if (!bias.equals("none")) {
                    LOG.warn("Careful, disabling adapter layers with bias configured to be '{}' does not produce the same "
                            + "output as the base model would without adaption.", bias);
                }
            }
        }
        for (LoraLinear l : loraLayers().values()) {
            l.enableAdapters(enabled);
        }
        modulesToSaveWrappers().values().forEach(w -> w.enableAdapters(enabled));
        if (enabled) {
            for (String n : activeAdapters) {
                if (peftConfig.get(n).inferenceMode()) {
                    freezeAdapter(n);
                }
            }
        }
    }

    /** peft's {@code delete_adapter}. */
    void deleteAdapter(String name) {
        if (!peftConfig.containsKey(name)) {
            throw new IllegalArgumentException("Adapter " + name + " does not exist");
        }
        peftConfig.remove(name);
        List<String> newActive = null;
        for (LoraLinear l : loraLayers().values()) {
            l.deleteAdapter(name);
            if (newActive == null) {
                newActive = l.activeAdapters();
            }
        }
        modulesToSaveWrappers().values().forEach(w -> w.deleteAdapter(name));
        boolean wasActive = activeAdapters.contains(name);
        activeAdapters = newActive == null ? new ArrayList<>() : new ArrayList<>(newActive);
        activeAdapters.retainAll(peftConfig.keySet());
        if (wasActive && !activeAdapters.isEmpty()) {
            LOG.warn("Adapter {} was active which is now deleted. Setting active adapter to {}.", name, activeAdapters);
        }
    }

    // ---- merging ----

    /** peft's {@code merge_adapter}: merges the given (null: active) adapters, keeping the wrappers. */
    void mergeAdapter(List<String> names, boolean safeMerge) {
        for (LoraLinear l : loraLayers().values()) {
            l.merge(names, safeMerge);
        }
    }

    /** peft's {@code unmerge_adapter}. */
    void unmergeAdapter() {
        for (LoraLinear l : loraLayers().values()) {
            if (l.isMerged()) {
                l.unmerge();
            }
        }
    }

    /** peft's {@code _unload_and_optionally_merge}: puts the base layers back, merged or not. */
    CausalLM unloadAndOptionallyMerge(boolean merge, boolean safeMerge, List<String> names) {
        int loraLayersCount = loraLayers().size();
        for (var e : loraLayers().entrySet()) {
            LoraLinear l = e.getValue();
            if (merge) {
                l.merge(names, safeMerge);
            }
            var parent = root.findParent(e.getKey()).orElseThrow();
            parent.getKey().replaceChild(parent.getValue(), (Module) l.baseLayer());
        }
        for (var e : modulesToSaveWrappers().entrySet()) {
            var parent = root.findParent(e.getKey()).orElseThrow();
            parent.getKey().replaceChild(parent.getValue(), e.getValue().unwrapped());
        }
        LOG.info("{} {} LoRA layers", merge ? "Merged and unloaded" : "Unloaded", loraLayersCount);
        peftConfig.clear();
        activeAdapters = new ArrayList<>();
        return model;
    }

    // ---- weighted combination ----

    /** peft's {@code add_weighted_adapter}; see {@link PeftModel#addWeightedAdapter}. */
    void addWeightedAdapter(List<String> adapters, List<Double> weights, String name, WeightedAdapterOptions o) {
        if (peftConfig.containsKey(name)) {
            LOG.warn("add_weighted_adapter: adapter '{}' already exists; nothing done (as in peft)", name);
            return;
        }
        if (adapters.isEmpty() || adapters.size() != weights.size()) {
            throw new IllegalArgumentException(adapters.size() + " adapters but " + weights.size() + " weights");
        }
        for (String a : adapters) {
            if (!peftConfig.containsKey(a)) {
                throw new IllegalArgumentException("Adapter " + a + " does not exist");
            }
        }
        for (var e : modulesToSaveWrappers().entrySet()) {
            if (adapters.stream().filter(e.getValue()::hasAdapter).count() > 1) {
                throw new IllegalArgumentException("Cannot add weighted adapters if they target the same module with "
                        + "modules_to_save, but found such an instance: " + e.getKey());
            }
        }
        String type = adapters.size() == 1 ? "linear" : o.combinationType();
        List<Integer> ranks = adapters.stream().map(a -> peftConfig.get(a).r()).toList();
        int newRank;
        if (Set.of("linear", "ties", "dare_ties", "dare_linear", "magnitude_prune").contains(type)) {
            if (new LinkedHashSet<>(ranks).size() != 1) {
                throw new IllegalArgumentException("All adapters must have the same r value when using combination_type "
                        + "linear, ties, dare_ties or dare_linear; ranks are " + ranks);
            }
            newRank = ranks.get(0);
        } else if (type.equals("cat")) {
            newRank = ranks.stream().mapToInt(Integer::intValue).sum();
        } else {
            newRank = o.svdRank() != null ? o.svdRank() : ranks.stream().mapToInt(Integer::intValue).max().orElseThrow();
        }
        if (type.contains("ties") || type.contains("dare") || type.contains("magnitude_prune")) {
            if (o.density() == null) {
                throw new IllegalArgumentException("combination_type " + type + " needs a density in [0, 1]");
            }
        }
        boolean regex = peftConfig.get(adapters.get(0)).targetModules() == null;
        for (String a : adapters) {
            if ((peftConfig.get(a).targetModules() == null) != regex) {
                throw new IllegalArgumentException("all adapter configs should follow the same target modules type. "
                        + "Combining adapters with `target_modules` type being a mix of list/set and string is not supported.");
            }
        }
        LoraConfig.Builder nb = peftConfig.get(adapters.get(0)).toBuilder().r(newRank).loraAlpha(newRank)
                .rankPattern(Map.of()).alphaPattern(Map.of());
        if (regex) {
            nb.targetModulesRegex(adapters.stream().map(a -> "(" + peftConfig.get(a).targetModulesRegex().orElseThrow() + ")")
                    .collect(Collectors.joining("|")));
        } else {
            LinkedHashSet<String> union = new LinkedHashSet<>();
            adapters.forEach(a -> union.addAll(peftConfig.get(a).targetModules()));
            nb.targetModules(new ArrayList<>(union));
        }
        injectAdapter(name, nb.build());
        freezeAdapter(name);
        SplittableRandom rng = new SplittableRandom(o.seed());
        for (LoraLinear l : loraLayers().values()) {
            if (!l.hasAdapter(name)) {
                continue;
            }
            WeightedCombination.Factors f = WeightedCombination.combine(l, type, adapters, weights, newRank, o, rng);
            l.setFactors(name, f.a(), f.b());
        }
    }

    /** All configs' {@code target_modules} display, for messages. */
    @Override
    public String toString() {
        return "LoraModel(adapters=" + peftConfig.keySet() + ", active=" + activeAdapters + ", layers="
                + loraLayers().size() + ")";
    }
}
