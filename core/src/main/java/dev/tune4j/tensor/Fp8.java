package dev.tune4j.tensor;

/** Decoding of the two 8-bit float formats safetensors stores (OCP FP8: E4M3FN and E5M2). */
final class Fp8 {
    private Fp8() {}

    /** E4M3FN: bias 7, no infinities, 0x7F / 0xFF are NaN. */
    static float e4m3ToFloat(byte b) {
        int v = b & 0xFF;
        int sign = (v >>> 7) != 0 ? -1 : 1;
        int exp = (v >>> 3) & 0xF;
        int man = v & 0x7;
        if (exp == 0xF && man == 0x7) {
            return Float.NaN;
        }
        if (exp == 0) {
            return sign * man * 0x1p-9f;
        }
        return sign * (1 + man / 8f) * (float) Math.pow(2, exp - 7);
    }

    /** E5M2: bias 15, IEEE-like with infinities and NaN. */
    static float e5m2ToFloat(byte b) {
        return Float.float16ToFloat((short) ((b & 0xFF) << 8));
    }
}
