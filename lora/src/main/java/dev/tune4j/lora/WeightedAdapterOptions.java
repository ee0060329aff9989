package dev.tune4j.lora;

import java.util.Set;

/**
 * The keyword arguments of peft's {@code add_weighted_adapter} beyond the adapters, weights and
 * name.
 *
 * <pre>{@code
 * // peft: model.add_weighted_adapter(["a", "b"], [0.7, 0.3], "ab", combination_type="ties", density=0.5)
 * peft.addWeightedAdapter(List.of("a", "b"), List.of(0.7, 0.3), "ab",
 *         WeightedAdapterOptions.builder().combinationType("ties").density(0.5).build());
 * }</pre>
 *
 * @param combinationType {@code svd} (peft's default), {@code linear}, {@code cat}, {@code ties},
 *     {@code ties_svd}, {@code dare_linear}, {@code dare_ties}, {@code dare_linear_svd},
 *     {@code dare_ties_svd}, {@code magnitude_prune}, {@code magnitude_prune_svd}
 * @param svdRank rank of the result of the svd types; null means the largest input rank
 * @param svdClamp quantile at which U and Vh entries are clamped (svd types); null for none
 * @param density share of entries kept by ties, dare and magnitude_prune, in [0, 1]
 * @param majoritySignMethod {@code total} or {@code frequency} (ties types)
 * @param seed seeds DARE's random drops (values differ from torch's RNG stream)
 */
public record WeightedAdapterOptions(String combinationType, Integer svdRank, Double svdClamp, Double density,
                                     String majoritySignMethod, long seed) {
    static final Set<String> TYPES = Set.of("svd", "linear", "cat", "ties", "ties_svd", "dare_linear", "dare_ties",
            "dare_linear_svd", "dare_ties_svd", "magnitude_prune", "magnitude_prune_svd");

    public WeightedAdapterOptions {
        if (!TYPES.contains(combinationType)) {
            throw new IllegalArgumentException("Invalid combination_type: " + combinationType + "; expected one of "
                    + new java.util.TreeSet<>(TYPES));
        }
        if (!"total".equals(majoritySignMethod) && !"frequency".equals(majoritySignMethod)) {
            throw new IllegalArgumentException("majority_sign_method must be \"total\" or \"frequency\", got "
                    + majoritySignMethod);
        }
        if (svdRank != null && svdRank <= 0) {
            throw new IllegalArgumentException("svd_rank must be positive, got " + svdRank);
        }
    }

    /** Defaults: {@code combination_type="svd"}, no svd rank or clamp, no density, {@code "total"}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Only the combination type, other arguments at their defaults. */
    public static WeightedAdapterOptions of(String combinationType) {
        return builder().combinationType(combinationType).build();
    }

    /** Builder for {@link WeightedAdapterOptions}. */
    public static final class Builder {
        private String combinationType = "svd";
        private Integer svdRank;
        private Double svdClamp;
        private Double density;
        private String majoritySignMethod = "total";
        private long seed = 42;

        private Builder() {}

        /** {@code combination_type}; default "svd". */
        public Builder combinationType(String t) {
            this.combinationType = t;
            return this;
        }

        /** {@code svd_rank}: rank of the svd types' result. */
        public Builder svdRank(int r) {
            this.svdRank = r;
            return this;
        }

        /** {@code svd_clamp}: quantile for clamping U and Vh. */
        public Builder svdClamp(double q) {
            this.svdClamp = q;
            return this;
        }

        /** {@code density}: share of entries kept (ties, dare, magnitude_prune). */
        public Builder density(double d) {
            this.density = d;
            return this;
        }

        /** {@code majority_sign_method}: "total" (default) or "frequency". */
        public Builder majoritySignMethod(String m) {
            this.majoritySignMethod = m;
            return this;
        }

        /** Seed of DARE's random drops (default 42). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Validates and builds the options. */
        public WeightedAdapterOptions build() {
            return new WeightedAdapterOptions(combinationType, svdRank, svdClamp, density, majoritySignMethod, seed);
        }
    }
}
