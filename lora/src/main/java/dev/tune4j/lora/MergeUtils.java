package dev.tune4j.lora;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * peft's {@code utils.merge_utils}: ways to combine "task tensors" (same-shaped weights of several
 * adapters) into one, used by {@link PeftModel#addWeightedAdapter}. Tensors are flat float arrays
 * of equal length; weights have one entry per tensor.
 */
public final class MergeUtils {
    private MergeUtils() {}

    /** {@code task_arithmetic}: {@code sum_i w_i T_i}. */
    public static float[] taskArithmetic(List<float[]> tensors, double[] weights) {
        check(tensors, weights);
        int n = tensors.get(0).length;
        float[] out = new float[n];
        for (int e = 0; e < n; e++) {
            double s = 0;
            for (int i = 0; i < tensors.size(); i++) {
                s += weights[i] * tensors.get(i)[e];
            }
            out[e] = (float) s;
        }
        return out;
    }

    /** {@code magnitude_prune}: keep the top {@code density} share of each tensor by |value|, then the weighted sum. */
    public static float[] magnitudePrune(List<float[]> tensors, double[] weights, double density) {
        return taskArithmetic(tensors.stream().map(t -> prune(t, density)).toList(), weights);
    }

    /**
     * {@code ties}: magnitude-prune each tensor, elect a sign per element ({@code "total"}: sign of the
     * sum; {@code "frequency"}: sign of the sum of signs; ties go to +), then average the weighted
     * entries that agree with it.
     */
    public static float[] ties(List<float[]> tensors, double[] weights, double density, String majoritySignMethod) {
        return disjoint(tensors.stream().map(t -> prune(t, density)).toList(), weights, majoritySignMethod);
    }

    /**
     * {@code dare_linear}: drop each entry with probability {@code 1 - density}, rescale the kept ones
     * by {@code 1 / density}, then the weighted sum. peft 0.13 computed the rescale but discarded it
     * (fixed upstream in peft PR 3152); tune4j applies it.
     */
    public static float[] dareLinear(List<float[]> tensors, double[] weights, double density, RandomGenerator rng) {
        return taskArithmetic(tensors.stream().map(t -> randomPrune(t, density, rng)).toList(), weights);
    }

    /** {@code dare_ties}: DARE's random drop and rescale, then the ties sign election and disjoint mean. */
    public static float[] dareTies(List<float[]> tensors, double[] weights, double density, String majoritySignMethod,
                                   RandomGenerator rng) {
        return disjoint(tensors.stream().map(t -> randomPrune(t, density, rng)).toList(), weights, majoritySignMethod);
    }

    /** {@code magnitude_based_pruning}: zeroes all but the {@code int(density * n)} largest |values|. */
    public static float[] prune(float[] t, double density) {
        if (density >= 1) {
            return t;
        }
        if (density < 0 || Double.isNaN(density)) {
            throw new IllegalArgumentException("Density should be >= 0, got " + density);
        }
        int k = (int) (density * t.length);
        Integer[] idx = new Integer[t.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> Math.abs(t[i])).reversed());
        float[] out = new float[t.length];
        for (int i = 0; i < k; i++) {
            out[idx[i]] = t[idx[i]];
        }
        return out;
    }

    /** {@code random_pruning} with rescale: keeps each entry with probability {@code density}, divided by it. */
    public static float[] randomPrune(float[] t, double density, RandomGenerator rng) {
        if (density >= 1) {
            return t;
        }
        if (density < 0 || Double.isNaN(density)) {
            throw new IllegalArgumentException("Density should be >= 0, got " + density);
        }
        float[] out = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            if (rng.nextDouble() < density) {
                out[i] = (float) (t[i] / density);
            }
        }
        return out;
    }

    private static float[] disjoint(List<float[]> tensors, double[] weights, String method) {
        check(tensors, weights);
        if (!"total".equals(method) && !"frequency".equals(method)) {
            throw new IllegalArgumentException("majority_sign_method must be \"total\" or \"frequency\", got " + method);
        }
        int n = tensors.get(0).length;
        float[] out = new float[n];
        for (int e = 0; e < n; e++) {
            double mag = 0;
            for (float[] t : tensors) {
                mag += "total".equals(method) ? t[e] : Math.signum(t[e]);
            }
            double majority = mag >= 0 ? 1 : -1;
            double sum = 0;
            int count = 0;
            for (int i = 0; i < tensors.size(); i++) {
                float v = tensors.get(i)[e];
                if (Math.signum(v) == majority) {
                    sum += weights[i] * v;
                    count++;
                }
            }
            out[e] = (float) (sum / Math.max(count, 1));
        }
        return out;
    }

    private static void check(List<float[]> tensors, double[] weights) {
        if (tensors.isEmpty() || tensors.size() != weights.length) {
            throw new IllegalArgumentException(tensors.size() + " task tensors but " + weights.length + " weights");
        }
        int n = tensors.get(0).length;
        for (float[] t : tensors) {
            if (t.length != n) {
                throw new IllegalArgumentException("task tensors differ in size: " + n + " and " + t.length);
            }
        }
    }
}
