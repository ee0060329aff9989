package dev.tune4j.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tune4j.testing.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CodeTablesTest {

    /** bitsandbytes' hard-coded NF4 literals (functional.get_4bit_type), as Python doubles. */
    private static final double[] BNB_NF4_LITERALS = {
        -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
        -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
        0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
        0.7229568362236023, 1.0,
    };

    @Test
    void nf4FromNormalQuantilesEqualsTheHardCodedTableToTheBit() {
        float[] map = Functional.createNormalMap(0.9677083, true);
        assertEquals(256, map.length);
        // The 256-value map is 7 negatives, 241 zeros and 8 positives; NF4 keeps one zero.
        float[] nf4 = new float[16];
        int k = 0;
        for (int i = 0; i < 256; i++) {
            if (map[i] != 0f || i == 7) {
                nf4[k++] = map[i];
            }
        }
        assertEquals(16, k);
        float[] table = Functional.get4bitType("nf4");
        for (int i = 0; i < 16; i++) {
            assertEquals((float) BNB_NF4_LITERALS[i], nf4[i], 0f, "index " + i);
            assertEquals(Float.floatToRawIntBits((float) BNB_NF4_LITERALS[i]), Float.floatToRawIntBits(nf4[i]), "index " + i);
            assertEquals(Float.floatToRawIntBits(nf4[i]), Float.floatToRawIntBits(table[i]), "index " + i);
            // Each literal is exactly a float32: widening the float gives back the literal.
            assertEquals(BNB_NF4_LITERALS[i], (double) table[i], 0.0, "index " + i);
        }
    }

    @Test
    void tablesEqualTheGoldenQuantMaps() throws Exception {
        Path file = SharedData.require("golden/bnb4/cases.safetensors");
        GoldenTensors g = GoldenTensors.open(file);
        assertBits(g.floats("nf4_64x64_bs64/quant_map"), Functional.get4bitType("nf4"));
        assertBits(g.floats("fp4_64x64_bs64_dq/quant_map"), Functional.get4bitType("fp4"));
        assertBits(g.floats("nf4_64x64_bs64_dq/nested_quant_map"), Functional.createDynamicMap(true, 7, 8));
        assertBits(g.floats("blockwise8_1000_bs256/code"), Functional.createDynamicMap(true, 7, 8));
        // Built from scratch rather than returned from the cache.
        assertBits(g.floats("blockwise8_1000_bs256/code"), CodeTables.createDynamicMap(true, 7, 8));
    }

    @Test
    void fp4HasTwoPositiveZerosAndIsTheFloatFormatOverTwelve() {
        float[] fp4 = Functional.get4bitType("fp4");
        assertEquals(0, Float.floatToRawIntBits(fp4[0]));
        assertEquals(0, Float.floatToRawIntBits(fp4[8]));
        float[] raw = {0, 0.0625f, 8, 12, 4, 6, 2, 3};
        for (int i = 0; i < 8; i++) {
            assertEquals(raw[i] / 12f, fp4[i], 0f);
            assertEquals(i == 0 ? 0f : -raw[i] / 12f, fp4[i + 8], 0f);
        }
    }

    @Test
    void dynamicMapSanityValues() {
        float[] signed = Functional.createDynamicMap(true, 7, 8);
        assertEquals(0f, signed[127], 0f);
        assertEquals(1f, signed[255], 0f);
        assertEquals(-0.99296873f, signed[0], 1e-7f);
        float[] unsigned = Functional.createDynamicMap(false, 7, 8);
        assertEquals(0f, unsigned[0], 0f);
        // Smallest positive: (0.1 + 0.55) / 2 * 1e-6 = 3.25e-7.
        assertEquals(3.25e-7f, unsigned[1], 1e-12f);
        assertEquals(1f, unsigned[255], 0f);
        float[] sorted = unsigned.clone();
        Arrays.sort(sorted);
        assertEquals(Arrays.toString(sorted), Arrays.toString(unsigned));
        assertThrows(IllegalArgumentException.class, () -> Functional.createDynamicMap(true, 9, 8));
    }

    @Test
    void linspaceMatchesTorchForTheDynamicMapBoundaries() {
        // torch.linspace(0.1, 1, 3) == [0.1, 0.55, 1.0] in float32.
        float[] l = CodeTables.linspace(0.1f, 1.0f, 3);
        assertEquals(0.1f, l[0], 0f);
        assertEquals(0.55f, l[1], 0f);
        assertEquals(1.0f, l[2], 0f);
    }

    @Test
    void tinyClampIsTheSubnormalBitsandbytesUses() {
        assertEquals(0x006CE3EE, Float.floatToRawIntBits(Blockwise.TINY));
    }

    static void assertBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError("index " + i + ": expected " + expected[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ") but was " + actual[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
    }
}
