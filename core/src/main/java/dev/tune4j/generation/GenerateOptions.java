package dev.tune4j.generation;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The arguments of transformers' {@code generate()} that are not part of the
 * {@link GenerationConfig}: {@code streamer}, {@code logits_processor}, {@code stopping_criteria},
 * {@code output_scores}, {@code output_logits}, plus the random generator used when sampling.
 *
 * @param streamer         receives tokens as they are generated; null for none
 * @param logitsProcessors user processors, applied after the configuration's processors and before its warpers
 * @param stoppingCriteria user criteria, checked after the max-length and eos criteria
 * @param outputScores     keep each step's processed scores in {@link GenerationResult#scores()}
 * @param outputLogits     keep each step's raw logits in {@link GenerationResult#logits()}
 * @param random           generator for sampling; null means one seeded from {@link GenerationConfig#seed()}
 */
public record GenerateOptions(TokenStreamer streamer, List<LogitsProcessor> logitsProcessors,
        List<StoppingCriteria> stoppingCriteria, boolean outputScores, boolean outputLogits, RandomGenerator random) {

    /** Copies the lists. */
    public GenerateOptions {
        logitsProcessors = List.copyOf(logitsProcessors);
        stoppingCriteria = List.copyOf(stoppingCriteria);
    }

    /** No streamer, no extra processors or criteria, no recorded scores. */
    public static GenerateOptions defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link GenerateOptions}. */
    public static final class Builder {
        private TokenStreamer streamer;
        private final List<LogitsProcessor> processors = new ArrayList<>();
        private final List<StoppingCriteria> criteria = new ArrayList<>();
        private boolean outputScores;
        private boolean outputLogits;
        private RandomGenerator random;

        private Builder() {}

        /** Token callback; null for none. */
        public Builder streamer(TokenStreamer s) { streamer = s; return this; }
        /** Adds a user logits processor. */
        public Builder logitsProcessor(LogitsProcessor p) { processors.add(p); return this; }
        /** Adds a user stopping criterion. */
        public Builder stoppingCriteria(StoppingCriteria c) { criteria.add(c); return this; }
        /** Records processed scores per step ({@code output_scores=True}). */
        public Builder outputScores(boolean v) { outputScores = v; return this; }
        /** Records raw logits per step ({@code output_logits=True}). */
        public Builder outputLogits(boolean v) { outputLogits = v; return this; }
        /** Generator to sample from, instead of one seeded from the configuration. */
        public Builder random(RandomGenerator r) { random = r; return this; }

        /** Builds the options. */
        public GenerateOptions build() {
            return new GenerateOptions(streamer, processors, criteria, outputScores, outputLogits, random);
        }
    }
}
