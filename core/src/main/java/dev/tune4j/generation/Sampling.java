package dev.tune4j.generation;

import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Choosing the next token from processed scores: greedy argmax or a draw from their softmax.
 *
 * <p>Draws use a {@link RandomGenerator} ({@code L64X128MixRandom} when created from a seed), so a
 * seeded run is reproducible from one run to the next and across platforms. The stream of samples
 * is not torch's: the same seed does not give the tokens {@code torch.manual_seed} +
 * {@code torch.multinomial} would, only tokens drawn from the same distribution.
 */
public final class Sampling {
    /** The JDK algorithm behind {@link #newRandom(long)}: fast, statistically strong, splittable state. */
    public static final String ALGORITHM = "L64X128MixRandom";

    private Sampling() {}

    /**
     * Index of the largest score, the first one on ties, like {@code torch.argmax}; a NaN counts
     * as larger than any number, as in torch.
     */
    public static int argmax(float[] scores) {
        if (scores.length == 0) {
            throw new IllegalArgumentException("argmax of an empty score vector");
        }
        int best = 0;
        float bestValue = scores[0];
        if (Float.isNaN(bestValue)) {
            return 0;
        }
        for (int i = 1; i < scores.length; i++) {
            float v = scores[i];
            if (Float.isNaN(v)) {
                return i;
            }
            if (v > bestValue) {
                best = i;
                bestValue = v;
            }
        }
        return best;
    }

    /** {@code softmax(scores)} in float32; {@code -inf} scores get probability 0. */
    public static float[] softmax(float[] scores) {
        return ScoreMath.softmax(scores);
    }

    /**
     * Draws one index with probability {@code softmax(scores)[i]} (transformers:
     * {@code torch.multinomial(softmax(scores), 1)}): inverse-CDF over the float32 probabilities,
     * accumulated in double, with one {@link RandomGenerator#nextDouble()} per draw. Tokens with
     * score {@code -inf} are never drawn.
     *
     * @throws IllegalStateException when the scores give no valid distribution (all {@code -inf}, NaN, +inf)
     */
    public static int sample(float[] scores, RandomGenerator random) {
        float[] probs = ScoreMath.softmax(scores);
        double total = 0;
        int lastPositive = -1;
        for (int i = 0; i < probs.length; i++) {
            float p = probs[i];
            if (!(p >= 0) || Float.isInfinite(p)) {
                throw new IllegalStateException("probability vector contains inf, nan or an element < 0"
                        + " (scores are all -inf, or contain NaN or +inf)");
            }
            if (p > 0) {
                total += p;
                lastPositive = i;
            }
        }
        if (lastPositive < 0) {
            throw new IllegalStateException("probability vector sums to 0: every token was filtered out");
        }
        double u = random.nextDouble() * total;
        double cum = 0;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] > 0) {
                cum += probs[i];
                if (u < cum) {
                    return i;
                }
            }
        }
        return lastPositive; // u within rounding of total
    }

    /** A new {@value #ALGORITHM} generator seeded with {@code seed}. */
    public static RandomGenerator newRandom(long seed) {
        return RandomGeneratorFactory.of(ALGORITHM).create(seed);
    }

    /** Seeded from {@code seed} when present, else from fresh entropy. */
    public static RandomGenerator newRandom(OptionalLong seed) {
        return seed.isPresent() ? newRandom(seed.getAsLong()) : RandomGeneratorFactory.of(ALGORITHM).create();
    }
}
