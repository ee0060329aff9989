package dev.tune4j.quant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The code tables of bitsandbytes: NF4, FP4 and the 8-bit dynamic maps.
 *
 * <p>Every table is float32 and bit-identical to what bitsandbytes builds (see
 * {@code bitsandbytes.functional.get_4bit_type}, {@code create_normal_map} and
 * {@code create_dynamic_map}).
 */
final class CodeTables {
    private CodeTables() {}

    /** bitsandbytes' NF4 and FP4 tables, kept with the 4-bit weight description in core. */
    private static final float[] NF4 = dev.tune4j.backend.Bnb4Weight.standardTable("nf4");
    private static final float[] FP4 = dev.tune4j.backend.Bnb4Weight.standardTable("fp4");
    private static final float[] DYNAMIC_SIGNED = createDynamicMap(true, 7, 8);
    private static final float[] DYNAMIC_UNSIGNED = createDynamicMap(false, 7, 8);

    /** A copy of the 16-entry table of {@code "nf4"} or {@code "fp4"}. */
    static float[] fourBitTable(String quantType) {
        return fourBitTableShared(quantType).clone();
    }

    /** The shared (not to be modified) 16-entry table. */
    static float[] fourBitTableShared(String quantType) {
        if ("nf4".equals(quantType)) {
            return NF4;
        }
        if ("fp4".equals(quantType)) {
            return FP4;
        }
        throw new IllegalArgumentException("quant_type must be \"nf4\" or \"fp4\", found " + quote(quantType));
    }

    /** The shared signed or unsigned default dynamic map (not to be modified). */
    static float[] dynamicMapShared(boolean signed) {
        return signed ? DYNAMIC_SIGNED : DYNAMIC_UNSIGNED;
    }

    /**
     * {@code torch.linspace(start, end, steps, dtype=float32)} as torch 2.x computes it on the CPU:
     * the first half counts up from {@code start}, the second half down from {@code end}, each a
     * single fused multiply-add. Other formulas differ by one ulp on some entries.
     */
    static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (float) (steps - 1);
        int halfway = steps / 2;
        for (int k = 0; k < steps; k++) {
            out[k] = k < halfway
                    ? Math.fma(step, (float) k, start)
                    : Math.fma(-step, (float) (steps - 1 - k), end);
        }
        return out;
    }

    /** See {@link Functional#createDynamicMap(boolean, int, int)}. */
    static float[] createDynamicMap(boolean signed, int maxExponentBits, int totalBits) {
        if (totalBits < 1 || totalBits > 8 || maxExponentBits < 1 || maxExponentBits > totalBits - 1 + (signed ? 0 : 1)) {
            throw new IllegalArgumentException("create_dynamic_map needs 1 <= total_bits <= 8 and 1 <= max_exponent_bits < "
                    + "total_bits; found signed=" + signed + ", max_exponent_bits=" + maxExponentBits
                    + ", total_bits=" + totalBits);
        }
        List<Float> data = new ArrayList<>();
        int nonSignBits = totalBits - 1;
        // Python's 2 ** (negative) - 1 is below zero: no additional items then.
        int additionalItems = nonSignBits >= maxExponentBits ? (1 << (nonSignBits - maxExponentBits)) - 1 : 0;
        int i = 0;
        for (i = 0; i < maxExponentBits; i++) {
            int fractionItems = (1 << (i + nonSignBits - maxExponentBits + (signed ? 0 : 1))) + 1;
            addMeans(data, fractionItems, -(maxExponentBits - 1) + i, signed);
        }
        if (additionalItems > 0) {
            // bitsandbytes reuses the loop variable here, i.e. the last exponent of the loop.
            addMeans(data, additionalItems + 1, -(maxExponentBits - 1) + (i - 1), signed);
        }
        data.add(0f);
        data.add(1.0f);
        if (data.size() != (1 << totalBits)) {
            throw new IllegalArgumentException("create_dynamic_map(signed=" + signed + ", max_exponent_bits="
                    + maxExponentBits + ", total_bits=" + totalBits + ") gives " + data.size()
                    + " values, expected 2^total_bits = " + (1 << totalBits));
        }
        float[] out = new float[256];
        for (int k = 0; k < data.size(); k++) {
            out[k] = data.get(k);
        }
        // The remaining entries stay 0, as bitsandbytes pads with zeros before sorting.
        Arrays.sort(out);
        return normaliseZeros(out);
    }

    private static void addMeans(List<Float> data, int items, int exponent, boolean signed) {
        float[] b = linspace(0.1f, 1.0f, items);
        // Python computes 10 ** exponent as a double (or an int); torch rounds it to float32 for
        // the multiply with a float32 tensor.
        float scale = (float) Double.parseDouble("1e" + exponent);
        float[] means = new float[items - 1];
        for (int j = 0; j < items - 1; j++) {
            means[j] = (b[j] + b[j + 1]) / 2.0f;
        }
        for (float m : means) {
            data.add(scale * m);
        }
        if (signed) {
            for (float m : means) {
                data.add(-scale * m);
            }
        }
    }

    /**
     * {@code create_normal_map(offset, use_extra_value)}: normal quantiles, sorted and divided by
     * the largest, 256 values (zero-padded). With the extra value the type is asymmetric: 8
     * positive values, 7 negative ones and zero; NF4 is its non-padding part.
     */
    static float[] createNormalMap(double offset, boolean useExtraValue) {
        NormalDistribution norm = new NormalDistribution(null, 0.0, 1.0, NormalDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY);
        float start = (float) offset;
        float[] v1 = ppf(norm, linspace(start, 0.5f, useExtraValue ? 9 : 8), false);
        float[] v3 = ppf(norm, linspace(start, 0.5f, 8), true);
        float[] values = new float[256];
        int k = 0;
        for (float v : v1) {
            values[k++] = v;
        }
        for (float v : v3) {
            values[k++] = v;
        }
        Arrays.sort(values);
        float max = values[255];
        for (int j = 0; j < 256; j++) {
            values[j] = values[j] / max;
        }
        return normaliseZeros(values);
    }

    /** The normal quantile of each point except the last, optionally negated, rounded to float32. */
    private static float[] ppf(NormalDistribution norm, float[] points, boolean negate) {
        float[] out = new float[points.length - 1];
        for (int j = 0; j < out.length; j++) {
            double q = norm.inverseCumulativeProbability(points[j]);
            out[j] = (float) (negate ? -q : q);
        }
        return out;
    }

    /** Arrays.sort orders -0.0 before +0.0; torch's tables hold +0.0 only. */
    private static float[] normaliseZeros(float[] values) {
        for (int j = 0; j < values.length; j++) {
            if (values[j] == 0f) {
                values[j] = 0f;
            }
        }
        return values;
    }

    static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
