package dev.tune4j.nn;

import dev.tune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A node of the module tree. Children and parameters are registered under the names Hugging Face
 * uses, so that {@link #namedParameters()} yields state-dict keys such as
 * {@code model.layers.0.self_attn.q_proj.weight}.
 *
 * <p>Children can be swapped ({@link #replaceChild}): that is how LoRA and 4-bit layers take the
 * place of a {@link Linear} without the model knowing.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training;

    /** Registers a child under {@code name} and returns it. */
    protected final <T extends Module> T register(String name, T child) {
        if (children.containsKey(name) || parameters.containsKey(name)) {
            throw new IllegalStateException("duplicate name '" + name + "' in " + getClass().getSimpleName());
        }
        children.put(name, child);
        return child;
    }

    /** Registers a parameter under {@code name}. */
    protected final Parameter register(String name, Parameter p) {
        if (children.containsKey(name) || parameters.containsKey(name)) {
            throw new IllegalStateException("duplicate name '" + name + "' in " + getClass().getSimpleName());
        }
        parameters.put(name, p);
        return p;
    }

    /** The child registered under {@code name}, or null. */
    public final Module child(String name) {
        return children.get(name);
    }

    /** The child registered under {@code name}, cast to {@code type}. */
    public final <T> T child(String name, Class<T> type) {
        Module m = children.get(name);
        if (m == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " has no child '" + name + "'");
        }
        return type.cast(m);
    }

    /** Direct children in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Direct parameters in registration order. */
    public final Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Replaces an existing child (the LoRA / 4-bit seam). Returns the previous one. */
    public final Module replaceChild(String name, Module replacement) {
        if (!children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no child '" + name + "'");
        }
        return children.put(name, replacement);
    }

    /** Replaces an existing parameter object (tied weights share one). */
    protected final void replaceParameter(String name, Parameter p) {
        if (!parameters.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        }
        parameters.put(name, p);
    }

    /** Removes a parameter (a layer whose stored form changes, e.g. a 4-bit weight made dense). */
    protected final void removeParameter(String name) {
        if (parameters.remove(name) == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        }
    }

    /**
     * Every parameter with its full dotted name, depth first in registration order. A parameter
     * shared by two modules (tied embeddings) appears once, under its first name, as torch does.
     */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collect("", out, seen);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out, Set<Parameter> seen) {
        for (var e : parameters.entrySet()) {
            if (seen.add(e.getValue())) {
                out.put(prefix + e.getKey(), e.getValue());
            }
        }
        for (var e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", out, seen);
        }
    }

    /** Every module below and including this one, keyed by dotted path ("" for this one). */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        walk("", out);
        return out;
    }

    private void walk(String path, Map<String, Module> out) {
        out.put(path, this);
        for (var e : children.entrySet()) {
            e.getValue().walk(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out);
        }
    }

    /** The module at a dotted path below this one. */
    public final Optional<Module> findModule(String path) {
        Module m = this;
        if (path.isEmpty()) {
            return Optional.of(m);
        }
        for (String part : path.split("\\.")) {
            m = m.children.get(part);
            if (m == null) {
                return Optional.empty();
            }
        }
        return Optional.of(m);
    }

    /** The module that owns the child at {@code path} and the child's local name. */
    public final Optional<Map.Entry<Module, String>> findParent(String path) {
        int dot = path.lastIndexOf('.');
        Optional<Module> parent = dot < 0 ? Optional.of(this) : findModule(path.substring(0, dot));
        String local = path.substring(dot + 1);
        return parent.filter(p -> p.children.containsKey(local)).map(p -> Map.entry(p, local));
    }

    /** Sets training mode (dropout active) on this module and all below. */
    public void train(boolean on) {
        this.training = on;
        for (Module c : children.values()) {
            c.train(on);
        }
    }

    public final boolean isTraining() {
        return training;
    }

    /** Freezes or unfreezes every parameter below. */
    public final void requiresGrad(boolean flag) {
        for (Parameter p : namedParameters().values()) {
            p.requiresGrad(flag);
        }
    }

    /** Values of all parameters by name (the state dict). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((k, v) -> out.put(k, v.value()));
        return out;
    }

    /** Total element count of the parameters below (shared ones once). */
    public final long parameterCount() {
        long n = 0;
        for (Parameter p : namedParameters().values()) {
            n += p.numel();
        }
        return n;
    }

    /** Names of the direct children, for error messages. */
    protected final List<String> childNames() {
        return new ArrayList<>(children.keySet());
    }
}
