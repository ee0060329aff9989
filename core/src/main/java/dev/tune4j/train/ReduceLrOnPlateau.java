package dev.tune4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * torch's {@code ReduceLROnPlateau}, what transformers builds for
 * {@code lr_scheduler_type="reduce_lr_on_plateau"}: the learning rate is multiplied by
 * {@code factor} once the evaluation metric has not improved for more than {@code patience}
 * evaluations. The Trainer steps it with the metric after each evaluation, not after each step.
 *
 * <pre>{@code
 * // transformers: lr_scheduler_kwargs={"patience": 2, "factor": 0.5}
 * ReduceLrOnPlateau s = ReduceLrOnPlateau.fromKwargs(new double[] {1e-3}, Map.of("patience", 2, "factor", 0.5));
 * s.step(evalLoss);
 * }</pre>
 */
public final class ReduceLrOnPlateau {
    private static final Set<String> KWARGS = Set.of("mode", "factor", "patience", "threshold", "threshold_mode",
            "cooldown", "min_lr", "eps");

    private final boolean maximize;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final boolean relative;
    private final int cooldown;
    private final double minLr;
    private final double eps;
    private final double[] lrs;
    private double best;
    private int numBadEpochs;
    private int cooldownCounter;
    private int lastEpoch;

    /**
     * @param mode "min" (lower metric is better) or "max"
     * @param thresholdMode "rel" or "abs"
     */
    public ReduceLrOnPlateau(double[] groupLrs, String mode, double factor, int patience, double threshold,
                             String thresholdMode, int cooldown, double minLr, double eps) {
        if (!"min".equals(mode) && !"max".equals(mode)) {
            throw new IllegalArgumentException("reduce_lr_on_plateau mode must be 'min' or 'max', found '" + mode + "'");
        }
        if (!"rel".equals(thresholdMode) && !"abs".equals(thresholdMode)) {
            throw new IllegalArgumentException("reduce_lr_on_plateau threshold_mode must be 'rel' or 'abs', found '"
                    + thresholdMode + "'");
        }
        if (!(factor < 1.0) || factor < 0) {
            throw new IllegalArgumentException("reduce_lr_on_plateau factor must be in [0, 1), found " + factor);
        }
        if (patience < 0 || cooldown < 0) {
            throw new IllegalArgumentException("reduce_lr_on_plateau patience and cooldown must be >= 0");
        }
        if (groupLrs.length == 0) {
            throw new IllegalArgumentException("groupLrs must hold at least one parameter group's learning rate");
        }
        this.maximize = "max".equals(mode);
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.relative = "rel".equals(thresholdMode);
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.lrs = groupLrs.clone();
        this.best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /**
     * From {@code lr_scheduler_kwargs} with torch's defaults: mode "min", factor 0.1, patience 10,
     * threshold 1e-4, threshold_mode "rel", cooldown 0, min_lr 0, eps 1e-8.
     */
    public static ReduceLrOnPlateau fromKwargs(double[] groupLrs, Map<String, ?> kwargs) {
        Map<String, ?> kw = kwargs == null ? Map.of() : kwargs;
        for (String k : kw.keySet()) {
            if (!KWARGS.contains(k)) {
                throw new IllegalArgumentException("lr_scheduler_kwargs has '" + k + "', which reduce_lr_on_plateau"
                        + " does not take; it takes " + KWARGS);
            }
        }
        return new ReduceLrOnPlateau(groupLrs, str(kw, "mode", "min"), num(kw, "factor", 0.1),
                (int) num(kw, "patience", 10), num(kw, "threshold", 1e-4), str(kw, "threshold_mode", "rel"),
                (int) num(kw, "cooldown", 0), num(kw, "min_lr", 0.0), num(kw, "eps", 1e-8));
    }

    private static double num(Map<String, ?> kw, String key, double fallback) {
        Object v = kw.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("lr_scheduler_kwargs '" + key + "': expected a number, found " + v);
        }
        return n.doubleValue();
    }

    private static String str(Map<String, ?> kw, String key, String fallback) {
        Object v = kw.get(key);
        return v == null ? fallback : String.valueOf(v);
    }

    /** Records one evaluation's metric and lowers the learning rate when it has plateaued. */
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > patience) {
            for (int g = 0; g < lrs.length; g++) {
                double newLr = Math.max(lrs[g] * factor, minLr);
                if (lrs[g] - newLr > eps) {
                    lrs[g] = newLr;
                }
            }
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
    }

    private boolean isBetter(double a) {
        if (relative) {
            return maximize ? a > best * (threshold + 1) : a < best * (1 - threshold);
        }
        return maximize ? a > best + threshold : a < best - threshold;
    }

    /** The current learning rate of every parameter group. */
    public List<Double> getLastLr() {
        List<Double> out = new ArrayList<>(lrs.length);
        for (double v : lrs) {
            out.add(v);
        }
        return Collections.unmodifiableList(out);
    }

    /** The best metric seen so far. */
    public double best() {
        return best;
    }

    /** Number of {@link #step(double)} calls. */
    public int lastEpoch() {
        return lastEpoch;
    }
}
