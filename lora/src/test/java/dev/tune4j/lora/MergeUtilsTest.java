package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** peft's merge_utils on hand-worked examples. */
class MergeUtilsTest {
    private final float[] t1 = {3f, -1f, 0.5f, -4f};
    private final float[] t2 = {-1f, -2f, 1f, 2f};
    private final double[] w = {1.0, 0.5};

    @Test
    void taskArithmeticIsTheWeightedSum() {
        assertArrayEquals(new float[] {2.5f, -2f, 1f, -3f}, MergeUtils.taskArithmetic(List.of(t1, t2), w));
    }

    @Test
    void magnitudePruneKeepsTheLargestShare() {
        // int(0.5 * 4) = 2 entries kept per tensor: t1 -> {3, 0, 0, -4}, t2 -> {0, -2, 0, 2}.
        assertArrayEquals(new float[] {3f, 0f, 0f, -4f}, MergeUtils.prune(t1, 0.5));
        assertArrayEquals(new float[] {3f, -1f, 0f, -3f}, MergeUtils.magnitudePrune(List.of(t1, t2), w, 0.5));
    }

    @Test
    void tiesElectsASignAndAveragesTheAgreeingEntries() {
        // density 1 (no pruning). "total": sums 2, -3, 1.5, -2 -> signs +, -, +, -.
        // e0: only t1 (+3) agrees -> 3/1. e1: both agree -> (-1 + 0.5*-2)/2 = -1.
        // e2: both agree -> (0.5 + 0.5*1)/2 = 0.5. e3: only t1 (-4) agrees -> -4.
        assertArrayEquals(new float[] {3f, -1f, 0.5f, -4f}, MergeUtils.ties(List.of(t1, t2), w, 1.0, "total"));
        // "frequency": sign sums 0, -2, 2, 0 -> +, -, +, + (ties go to +).
        // e3: only t2 (+2) agrees -> 0.5*2 = 1.
        assertArrayEquals(new float[] {3f, -1f, 0.5f, 1f}, MergeUtils.ties(List.of(t1, t2), w, 1.0, "frequency"));
    }

    @Test
    void dareKeepsAboutDensityAndRescales() {
        float[] ones = new float[20000];
        java.util.Arrays.fill(ones, 1f);
        float[] kept = MergeUtils.randomPrune(ones, 0.25, new SplittableRandom(3));
        double sum = 0;
        int nonzero = 0;
        for (float v : kept) {
            sum += v;
            if (v != 0) {
                nonzero++;
                assertEquals(4f, v);
            }
        }
        assertEquals(0.25, nonzero / 20000.0, 0.02);
        assertEquals(1.0, sum / 20000.0, 0.08);
    }

    @Test
    void quantileInterpolatesLikeTorch() {
        // torch.quantile(tensor([1., 2., 3., 4.]), 0.5) == 2.5; q=0.9 -> 3.7
        assertEquals(2.5, WeightedCombination.quantile(new double[] {4, 1, 3, 2}, 0.5), 1e-12);
        assertEquals(3.7, WeightedCombination.quantile(new double[] {4, 1, 3, 2}, 0.9), 1e-12);
    }
}
