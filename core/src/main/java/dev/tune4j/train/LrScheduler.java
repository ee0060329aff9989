package dev.tune4j.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A learning-rate scheduler with torch {@code LambdaLR} semantics: one base learning rate per
 * parameter group, each multiplied by the same {@link LrLambda} evaluated at {@link #lastEpoch()}.
 *
 * <p>Construction performs torch's initial step, so right after it {@code lastEpoch() == 0} and
 * {@code getLastLr()} is {@code baseLr * lambda(0)}; after k calls of {@link #step()} it is
 * {@code baseLr * lambda(k)}. The Trainer steps it once after every optimizer step, so optimizer
 * step s (1-based) trains with the value seen after s-1 scheduler steps.
 *
 * <pre>{@code
 * // transformers: sch = get_scheduler("linear", opt, num_warmup_steps=2, num_training_steps=12)
 * LrScheduler sch = LrSchedules.getScheduler("linear", 1e-3, 2, 12, Map.of());
 * double lr = sch.getLastLr().get(0);   // 0.0 : step 1 runs at lr 0 during warmup
 * sch.step();
 * }</pre>
 *
 * <p>Not thread-safe: one Trainer drives one scheduler.
 */
public final class LrScheduler {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final LrLambda lambda;
    private final boolean plainFunction;
    private double[] baseLrs;
    private int lastEpoch;
    private int stepCount;
    private double[] lastLr;

    /**
     * A scheduler over {@code baseLrs.length} parameter groups.
     *
     * @param baseLrs the initial learning rate of each parameter group (torch {@code base_lrs})
     * @param lambda the multiplier of the base learning rate at each step
     */
    public LrScheduler(double[] baseLrs, LrLambda lambda) {
        this(baseLrs, lambda, false);
    }

    /**
     * @param plainFunction torch stores a plain Python function as {@code null} in
     *     {@code lr_lambdas} and a {@code functools.partial} as its (empty) {@code __dict__};
     *     transformers uses a plain function only for the constant schedule
     */
    LrScheduler(double[] baseLrs, LrLambda lambda, boolean plainFunction) {
        Objects.requireNonNull(baseLrs, "baseLrs");
        this.lambda = Objects.requireNonNull(lambda, "lambda");
        if (baseLrs.length == 0) {
            throw new IllegalArgumentException("baseLrs must hold at least one parameter group's learning rate");
        }
        for (double lr : baseLrs) {
            if (!(lr >= 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("base learning rates must be finite and >= 0, found "
                        + Arrays.toString(baseLrs));
            }
        }
        this.plainFunction = plainFunction;
        this.baseLrs = baseLrs.clone();
        this.lastEpoch = -1;
        this.stepCount = 0;
        step(); // torch's _initial_step
    }

    /** Advances one scheduler step (torch {@code scheduler.step()}). */
    public void step() {
        stepCount++;
        lastEpoch++;
        lastLr = computeLrs(lastEpoch);
    }

    private double[] computeLrs(int epoch) {
        double[] lrs = new double[baseLrs.length];
        for (int g = 0; g < lrs.length; g++) {
            lrs[g] = baseLrs[g] * lambda.factor(epoch);
        }
        return lrs;
    }

    /** The learning rate of every parameter group after the last step (torch {@code get_last_lr()}). */
    public List<Double> getLastLr() {
        List<Double> out = new ArrayList<>(lastLr.length);
        for (double v : lastLr) {
            out.add(v);
        }
        return Collections.unmodifiableList(out);
    }

    /** The current learning rate of parameter group 0. */
    public double lr() {
        return lastLr[0];
    }

    /** The learning rate parameter group 0 has after {@code step} scheduler steps; changes nothing. */
    public double lrAt(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, found " + step);
        }
        return baseLrs[0] * lambda.factor(step);
    }

    /** Number of scheduler steps taken since construction (torch {@code last_epoch}). */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** The base learning rates, one per parameter group (torch {@code base_lrs}). */
    public List<Double> baseLrs() {
        List<Double> out = new ArrayList<>(baseLrs.length);
        for (double v : baseLrs) {
            out.add(v);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The scheduler's state, keyed and ordered as torch 1.13's {@code LambdaLR.state_dict()}:
     * {@code base_lrs, last_epoch, verbose, _step_count, _get_lr_called_within_step, _last_lr,
     * lr_lambdas}.
     */
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("base_lrs", baseLrs());
        m.put("last_epoch", lastEpoch);
        m.put("verbose", false);
        m.put("_step_count", stepCount);
        m.put("_get_lr_called_within_step", false);
        m.put("_last_lr", getLastLr());
        List<Object> lambdas = new ArrayList<>();
        for (int i = 0; i < baseLrs.length; i++) {
            lambdas.add(plainFunction ? null : new LinkedHashMap<String, Object>());
        }
        m.put("lr_lambdas", lambdas);
        return Collections.unmodifiableMap(m);
    }

    /** {@link #stateDict()} as indented JSON. */
    public String stateDictJson() {
        try {
            return JSON.writeValueAsString(stateDict());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise scheduler state", e);
        }
    }

    /**
     * Restores a position saved by {@link #stateDict()} or read from a transformers checkpoint's
     * {@code scheduler.pt} (as JSON): {@code last_epoch}, {@code _step_count}, {@code base_lrs}
     * and {@code _last_lr}. The lambda itself is not stored, as in torch: the caller rebuilds
     * the scheduler with the same arguments first.
     *
     * @throws IllegalArgumentException naming the missing or ill-typed key
     */
    public void loadStateDict(Map<String, ?> state) {
        Objects.requireNonNull(state, "state");
        int epoch = intKey(state, "last_epoch");
        int count = state.containsKey("_step_count") ? intKey(state, "_step_count") : epoch + 1;
        double[] bases = doubleList(state, "base_lrs");
        if (bases.length != baseLrs.length) {
            throw new IllegalArgumentException("scheduler state has " + bases.length
                    + " base_lrs but this scheduler has " + baseLrs.length + " parameter groups");
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("scheduler state last_epoch must be >= 0, found " + epoch);
        }
        this.baseLrs = bases;
        this.lastEpoch = epoch;
        this.stepCount = count;
        this.lastLr = state.containsKey("_last_lr") ? doubleList(state, "_last_lr") : computeLrs(epoch);
        if (lastLr.length != baseLrs.length) {
            throw new IllegalArgumentException("scheduler state has " + lastLr.length
                    + " _last_lr values but " + baseLrs.length + " base_lrs");
        }
    }

    /** Parses JSON written by {@link #stateDictJson()} (or torch's state_dict exported to JSON) and loads it. */
    public void loadStateDictJson(String json) {
        Map<String, Object> state;
        try {
            state = JSON.readValue(json, JSON.getTypeFactory().constructMapType(LinkedHashMap.class,
                    String.class, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("scheduler state is not valid JSON: " + e.getOriginalMessage(), e);
        }
        loadStateDict(state);
    }

    private static int intKey(Map<String, ?> state, String key) {
        Object v = state.get(key);
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException("scheduler state key '" + key + "': expected an integer, found " + v);
        }
        return n.intValue();
    }

    private static double[] doubleList(Map<String, ?> state, String key) {
        Object v = state.get(key);
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException("scheduler state key '" + key + "': expected a list of numbers, found " + v);
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new IllegalArgumentException("scheduler state key '" + key + "'[" + i
                        + "]: expected a number, found " + list.get(i));
            }
            out[i] = n.doubleValue();
        }
        return out;
    }
}
