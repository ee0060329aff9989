package dev.tune4j.train;

import dev.tune4j.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * An optimizer parameter group: its parameters (by checkpoint name), learning rate and weight
 * decay, as torch's {@code param_groups} entries.
 *
 * <p>The learning rate is the group's current one; the scheduler sets it each step.
 */
public final class ParamGroup {
    private final Map<String, Parameter> params;
    private final double initialLr;
    private final double weightDecay;
    private double lr;

    public ParamGroup(Map<String, Parameter> params, double lr, double weightDecay) {
        this.params = new java.util.LinkedHashMap<>(params);
        this.initialLr = lr;
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    public Map<String, Parameter> params() {
        return java.util.Collections.unmodifiableMap(params);
    }

    public List<String> names() {
        return List.copyOf(params.keySet());
    }

    public double lr() {
        return lr;
    }

    public void lr(double value) {
        this.lr = value;
    }

    /** The lr the group was created with (torch's {@code initial_lr}). */
    public double initialLr() {
        return initialLr;
    }

    public double weightDecay() {
        return weightDecay;
    }
}
