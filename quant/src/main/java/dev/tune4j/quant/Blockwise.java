package dev.tune4j.quant;

/**
 * The blockwise absmax quantizer shared by the 4-bit and 8-bit paths, as bitsandbytes' default
 * (pure torch) backend computes it, one float32 operation at a time.
 *
 * <p>Full blocks multiply by the reciprocal {@code 1 / max(absmax, 1e-38)} and store the
 * unclamped absmax (0 for an all-zero block); a trailing partial block divides by the clamped
 * absmax and stores the clamped value. Scaled values are clamped to [-1, 1] and mapped to the
 * nearest code by {@link Codebook}.
 */
final class Blockwise {
    /** bitsandbytes' clamp {@code 1e-38}, a float32 subnormal (0x006CE3EE). */
    static final float TINY = 1e-38f;

    private Blockwise() {}

    /** Receives the codes of one block. */
    @FunctionalInterface
    interface BlockSink {
        /** {@code codes[0, len)} are the codes of elements {@code [start, start + len)}. */
        void accept(int start, byte[] codes, int len);
    }

    /**
     * Quantizes {@code x} in blocks of {@code blocksize}, handing each block's codes to
     * {@code sink}, and returns the per-block absmax as stored.
     */
    static float[] quantize(float[] x, int blocksize, Codebook codebook, BlockSink sink) {
        int n = x.length;
        int full = n / blocksize;
        int rem = n % blocksize;
        float[] absmax = new float[full + (rem > 0 ? 1 : 0)];
        byte[] codes = new byte[blocksize];
        for (int b = 0; b < full; b++) {
            int start = b * blocksize;
            float amax = blockAbsmax(x, start, blocksize);
            float r = 1.0f / Math.max(amax, TINY);
            absmax[b] = amax;
            Kernels4bit.get().encode(x, start, blocksize, r, false, codebook, codes);
            sink.accept(start, codes, blocksize);
        }
        if (rem > 0) {
            int start = full * blocksize;
            float a = Math.max(blockAbsmax(x, start, rem), TINY);
            absmax[full] = a;
            Kernels4bit.get().encode(x, start, rem, a, true, codebook, codes);
            sink.accept(start, codes, rem);
        }
        return absmax;
    }

    private static float blockAbsmax(float[] x, int start, int len) {
        float m = 0f;
        for (int i = start; i < start + len; i++) {
            // Math.max propagates NaN, and infinity stays infinite: one check per block suffices.
            m = Math.max(m, Math.abs(x[i]));
        }
        if (!Float.isFinite(m)) {
            for (int i = start; i < start + len; i++) {
                if (!Float.isFinite(x[i])) {
                    throw new IllegalArgumentException("cannot quantize a non-finite value: element " + i + " is " + x[i]);
                }
            }
        }
        return m;
    }

    static float clamp(float v) {
        return Math.min(Math.max(v, -1f), 1f);
    }

    /** {@code 8-bit blocksize} check, naming the allowed set. */
    static void checkBlocksize(int blocksize, String what) {
        if (blocksize < 32 || blocksize > 4096 || Integer.bitCount(blocksize) != 1) {
            throw new IllegalArgumentException(what + " blocksize must be one of 32, 64, 128, 256, 512, 1024, 2048, 4096;"
                    + " found " + blocksize);
        }
    }
}
