package dev.tune4j.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The sorting helpers against the definitions they implement (sorted order, k-th of a sorted copy). */
class ScoreMathTest {

    @Test
    void kthLargestIsTheKthOfTheSortedVector() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            int v = 1 + r.nextInt(3000);
            float[] x = new float[v];
            for (int i = 0; i < v; i++) {
                // few distinct values so that ties with the k-th value are common
                x[i] = r.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : r.nextInt(50) / 4f - 6f;
            }
            int k = 1 + r.nextInt(Math.min(v, 200));
            float[] sorted = x.clone();
            Arrays.sort(sorted);
            assertEquals(sorted[v - k], ScoreMath.kthLargest(x, k), "v=" + v + " k=" + k);
        }
    }

    @Test
    void argsortsAreStableSortOrders() {
        float[] x = {0.5f, -1f, Float.NEGATIVE_INFINITY, 0.5f, 3f, -0.0f, 0.0f, -1f};
        int[] asc = ScoreMath.argsortAscending(x);
        assertEquals("[2, 1, 7, 5, 6, 0, 3, 4]", Arrays.toString(asc));
        int[] desc = ScoreMath.argsortDescending(x);
        assertEquals("[4, 0, 3, 6, 5, 1, 7, 2]", Arrays.toString(desc));
    }

    @Test
    void softmaxSumsToOneAndGivesZeroToMinusInf() {
        float[] p = ScoreMath.softmax(new float[] {1f, Float.NEGATIVE_INFINITY, 2f, 3f});
        assertEquals(0f, p[1]);
        double sum = 0;
        for (float q : p) sum += q;
        assertEquals(1.0, sum, 1e-6);
        // exp(1) : exp(2) : exp(3)
        assertEquals(Math.exp(-1), p[2] / p[3], 1e-6);
        assertTrue(Float.isNaN(ScoreMath.softmax(new float[] {Float.NEGATIVE_INFINITY})[0]), "all -inf is NaN, as in torch");
    }
}
