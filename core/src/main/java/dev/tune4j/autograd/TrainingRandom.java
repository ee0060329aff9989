package dev.tune4j.autograd;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The random stream of training-time ops (dropout), per thread. Gradient checkpointing snapshots
 * it before a layer's forward and restores the snapshot before recomputing, so the recomputed
 * dropout masks are the ones the forward used (torch saves and restores its RNG state likewise).
 */
public final class TrainingRandom {
    private static final RandomGeneratorFactory<RandomGenerator.JumpableGenerator> FACTORY =
            RandomGeneratorFactory.of("Xoshiro256PlusPlus");
    private static final ThreadLocal<RandomGenerator.JumpableGenerator> CURRENT =
            ThreadLocal.withInitial(() -> FACTORY.create(0L));

    private TrainingRandom() {}

    /** The current thread's generator. */
    public static RandomGenerator current() {
        return CURRENT.get();
    }

    /** Reseeds the current thread's stream (the Trainer does this from TrainingArguments.seed). */
    public static void seed(long seed) {
        CURRENT.set(FACTORY.create(seed));
    }

    /** A copy of the current state. */
    public static RandomGenerator.JumpableGenerator snapshot() {
        return CURRENT.get().copy();
    }

    /** Makes {@code state} (a snapshot) current; the snapshot itself is not consumed. */
    public static void restore(RandomGenerator.JumpableGenerator state) {
        CURRENT.set(state.copy());
    }
}
