package dev.tune4j.quant.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.nn.Parameter;
import dev.tune4j.quant.Functional;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.train.AdamW;
import dev.tune4j.train.Optimizer;
import dev.tune4j.train.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * 8-bit AdamW against torch's AdamW (core's, checked against torch goldens) and the bit-exact
 * blockwise quantizer (checked against bitsandbytes goldens).
 */
class AdamW8bitTest {
    private static final int BIG = 64 * 1024 + 100;   // 257 blocks, the last partial
    private static final int SMALL = 1000;            // below min_8bit_size: float32 moments

    private static Map<String, Parameter> params(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Parameter> p = new LinkedHashMap<>();
        p.put("big", new Parameter(Tensor.of(randn(r, BIG, 0.5f), BIG), true));
        p.put("small", new Parameter(Tensor.of(randn(r, SMALL, 0.5f), SMALL), true));
        return p;
    }

    private static float[] randn(SplittableRandom r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    /** Gradient of sum(c_i (w_i - t_i)^2 / 2): c_i (w_i - t_i), with per-element curvature. */
    private static double setGrads(Map<String, Parameter> params) {
        double loss = 0;
        for (Parameter p : params.values()) {
            float[] w = p.value().data();
            float[] g = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                float c = 0.5f + (i % 7) * 0.25f;
                float target = (i % 5) * 0.1f - 0.2f;
                g[i] = c * (w[i] - target);
                loss += 0.5 * c * (w[i] - target) * (w[i] - target);
            }
            p.grad(Tensor.of(g, w.length));
        }
        return loss;
    }

    private static List<ParamGroup> groups(Map<String, Parameter> p) {
        return List.of(new ParamGroup(p, 1e-2, 0.01));
    }

    @Test
    void stateIsTwoBytesPerParameterPlusTheBlockScales() {
        Map<String, Parameter> p = params(1);
        AdamW8bit opt = new AdamW8bit(groups(p), 0.9, 0.999, 1e-8);
        setGrads(p);
        opt.step();
        assertTrue(opt.is8bit("big"));
        assertFalse(opt.is8bit("small"), "fewer than 4096 elements keep float32 moments");
        long blocks = (BIG + 255) / 256;
        // 1 byte per moment per element + one float32 absmax per moment per 256-element block.
        long expected8bit = 2L * BIG + 2 * 4 * blocks;
        assertEquals(expected8bit + 8L * SMALL, opt.stateBytes());
        double perParam = (double) expected8bit / BIG;
        assertEquals(2.0 + 8.0 / 256, perParam, 0.001);

        // The same run with torch's AdamW holds 8 bytes per parameter.
        Map<String, Parameter> q = params(1);
        AdamW ref = new AdamW(groups(q), 0.9, 0.999, 1e-8);
        setGrads(q);
        ref.step();
        long refBytes = ref.stateTensors().values().stream().mapToLong(t -> t.numel() * 4).sum();
        assertEquals(8L * (BIG + SMALL), refBytes);
        long big8bit = opt.stateBytes() - 8L * SMALL;
        assertTrue(big8bit < 0.26 * 8 * BIG, "8-bit state " + big8bit + " bytes for " + BIG + " parameters");
    }

    @Test
    void firstStepUpdatesLikeAdamWAndStoresTheQuantizedMoments() {
        Map<String, Parameter> p = params(2);
        Map<String, Parameter> q = params(2);
        AdamW8bit opt = new AdamW8bit(groups(p), 0.9, 0.999, 1e-8);
        AdamW ref = new AdamW(groups(q), 0.9, 0.999, 1e-8);
        setGrads(p);
        setGrads(q);
        float[] g = p.get("big").grad().data().clone();
        opt.step();
        ref.step();
        // Step 1 reads zero moments, so the update itself is exact; only the stored moments are quantized.
        for (String k : List.of("big", "small")) {
            assertArrayEquals(q.get(k).value().data(), p.get(k).value().data(), k);
        }
        float[] m = new float[BIG];
        float[] v = new float[BIG];
        for (int i = 0; i < BIG; i++) {
            m[i] = 0f * 0.9f + g[i] * (float) (1 - 0.9);
            v[i] = 0f * 0.999f + g[i] * g[i] * (float) (1 - 0.999);
        }
        float[] signed = Functional.createDynamicMap(true, 7, 8);
        float[] unsigned = Functional.createDynamicMap(false, 7, 8);
        assertArrayEquals(Functional.dequantizeBlockwise(Functional.quantizeBlockwise(m, signed, 256)), opt.expAvg("big"));
        assertArrayEquals(Functional.dequantizeBlockwise(Functional.quantizeBlockwise(v, unsigned, 256)),
                opt.expAvgSq("big"));
        assertArrayEquals(ref.stateTensors().get("exp_avg/small").data(), opt.expAvg("small"));
    }

    @Test
    void trajectoryFollowsAdamWAndSmallTensorsMatchItExactly() {
        Map<String, Parameter> p = params(3);
        Map<String, Parameter> q = params(3);
        float[] start = q.get("big").value().data().clone();
        AdamW8bit opt = new AdamW8bit(groups(p), 0.9, 0.999, 1e-8);
        AdamW ref = new AdamW(groups(q), 0.9, 0.999, 1e-8);
        double first = 0;
        double last = 0;
        for (int s = 0; s < 30; s++) {
            double loss = setGrads(p);
            setGrads(q);
            first = s == 0 ? loss : first;
            last = loss;
            opt.step();
            ref.step();
        }
        assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
        assertArrayEquals(q.get("small").value().data(), p.get("small").value().data());
        float[] a = p.get("big").value().data();
        float[] b = q.get("big").value().data();
        double maxDiff = 0;
        double meanDiff = 0;
        double moved = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            meanDiff += Math.abs(a[i] - b[i]) / a.length;
            moved += Math.abs(b[i] - start[i]) / a.length;
        }
        // 30 steps of lr 1e-2 move each weight by up to 0.3; the 8-bit moments bend the path by a small part of that.
        assertTrue(maxDiff < 0.06, "max |w_8bit - w_adamw| after 30 steps: " + maxDiff);
        assertTrue(meanDiff < 0.1 * moved, "mean |w_8bit - w_adamw| " + meanDiff + " against a mean move of " + moved);
    }

    @Test
    void savedStateResumesTheSameTrajectory() {
        Map<String, Parameter> p = params(4);
        AdamW8bit opt = new AdamW8bit(groups(p), 0.9, 0.999, 1e-8);
        for (int s = 0; s < 3; s++) {
            setGrads(p);
            opt.step();
        }
        Map<String, Parameter> copy = new LinkedHashMap<>();
        p.forEach((k, v) -> copy.put(k, new Parameter(Tensor.of(v.value().data().clone(), v.value().shape()), true)));
        Optimizer resumed = new AdamW8bit(groups(copy), 0.9, 0.999, 1e-8);
        resumed.loadState(opt.stateTensors(), opt.stepCounts());
        setGrads(p);
        setGrads(copy);
        opt.step();
        resumed.step();
        for (String k : p.keySet()) {
            assertArrayEquals(p.get(k).value().data(), copy.get(k).value().data(), k);
        }
    }
}
