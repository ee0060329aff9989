package dev.tune4j.nn;

import dev.tune4j.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seeded initialisation as transformers' {@code _init_weights} does it: projection and embedding
 * weights from normal(0, std), norm scales one, biases zero. Each tensor draws from a generator
 * seeded by (seed, key), so the values do not depend on construction order.
 */
public final class RandomWeights implements WeightSource {
    private final long seed;
    private final double std;

    public RandomWeights(long seed, double std) {
        this.seed = seed;
        this.std = std;
    }

    @Override
    public Tensor load(String key, int[] shape, Init init) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        switch (init) {
            case ONES -> java.util.Arrays.fill(d, 1f);
            case ZEROS -> { }
            case WEIGHT, EMBEDDING -> {
                SplittableRandom r = new SplittableRandom(seed ^ fnv(key));
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (r.nextGaussian() * std);
                }
            }
        }
        return t;
    }

    private static long fnv(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public Set<String> keys() {
        return Set.of();
    }

    @Override
    public String describe() {
        return "random initialisation (seed " + seed + ")";
    }
}
