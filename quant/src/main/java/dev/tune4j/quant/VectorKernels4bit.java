package dev.tune4j.quant;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API 4-bit kernels. The only class of the module that references
 * {@code jdk.incubator.vector}; {@link Kernels4bit} loads it reflectively.
 *
 * <p>Decoding L bytes gives 2L codes: the bytes are widened to int lanes, each lane duplicated by
 * a shuffle ({@code 0,0,1,1,...}) and shifted by 4 or 0 so that even elements take the high
 * nibble; the 16-entry table is then a lane permutation ({@code selectFrom}): one vector of 16
 * lanes, or two of 8 lanes and a blend. Multiplying by the block scale is one float32 multiply,
 * so dequantization is bit-identical to the scalar path.
 */
final class VectorKernels4bit extends Kernels4bit {
    private final VectorSpecies<Integer> ints;
    private final VectorSpecies<Float> floats;
    private final VectorSpecies<Byte> bytes;
    private final int lanes;
    private final VectorShuffle<Integer> dupLow;
    private final VectorShuffle<Integer> dupHigh;
    private final IntVector shifts;

    /** Uses the preferred width: 16 lanes (AVX-512) or 8 (AVX2); narrower hardware is refused. */
    VectorKernels4bit() {
        this(IntVector.SPECIES_PREFERRED.length() >= 16 ? IntVector.SPECIES_512 : IntVector.SPECIES_256);
        if (IntVector.SPECIES_PREFERRED.length() < 8) {
            throw new UnsupportedOperationException("vector width below 256 bits");
        }
    }

    /** For tests: a fixed width of 8 or 16 int lanes. */
    VectorKernels4bit(VectorSpecies<Integer> ints) {
        this.ints = ints;
        this.lanes = ints.length();
        if (lanes != 8 && lanes != 16) {
            throw new IllegalArgumentException("8 or 16 lanes supported, found " + lanes);
        }
        this.floats = lanes == 16 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
        this.bytes = lanes == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
        int[] lo = new int[lanes];
        int[] hi = new int[lanes];
        int[] sh = new int[lanes];
        for (int j = 0; j < lanes; j++) {
            lo[j] = j / 2;
            hi[j] = lanes / 2 + j / 2;
            sh[j] = (j & 1) == 0 ? 4 : 0;
        }
        this.dupLow = VectorShuffle.fromArray(ints, lo, 0);
        this.dupHigh = VectorShuffle.fromArray(ints, hi, 0);
        this.shifts = IntVector.fromArray(ints, sh, 0);
    }

    /** The 16-entry table as int bits, split into vectors of {@code lanes} entries. */
    private IntVector[] tables(float[] quantMap) {
        int[] bits = new int[16];
        for (int i = 0; i < 16; i++) {
            bits[i] = Float.floatToRawIntBits(quantMap[i]);
        }
        if (lanes == 16) {
            return new IntVector[] {IntVector.fromArray(ints, bits, 0)};
        }
        return new IntVector[] {IntVector.fromArray(ints, bits, 0), IntVector.fromArray(ints, bits, 8)};
    }

    /** Table values of the codes in {@code idx} (each 0..15). */
    private FloatVector lookup(IntVector idx, IntVector[] t) {
        if (lanes == 16) {
            return idx.selectFrom(t[0]).reinterpretAsFloats();
        }
        IntVector low = idx.and(7);
        VectorMask<Integer> upper = idx.compare(VectorOperators.GE, 8);
        return low.selectFrom(t[0]).blend(low.selectFrom(t[1]), upper).reinterpretAsFloats();
    }

    /** Codes of 2L elements starting at byte p: first L in [0], next L in [1]. */
    private IntVector widen(byte[] packed, int p) {
        return (IntVector) ByteVector.fromArray(bytes, packed, p).convertShape(VectorOperators.B2I, ints, 0);
    }

    private IntVector codes(IntVector wide, VectorShuffle<Integer> dup) {
        return wide.rearrange(dup).lanewise(VectorOperators.LSHR, shifts).and(0x0F);
    }

    @Override
    void dequantize(QuantState s, long start, int len, float[] out, int outOff) {
        byte[] packed = s.packed();
        float[] table = s.quantMap();
        IntVector[] t = tables(table);
        int bs = s.blocksize();
        int step = 2 * lanes;
        long end = start + len;
        long i = start;
        while (i < end) {
            int b = (int) (i / bs);
            long blockEnd = Math.min((long) (b + 1) * bs, end);
            float a = s.blockScale(b);
            int o = outOff + (int) (i - start);
            if ((i & 1) == 1) {
                out[o++] = table[packed[(int) (i >> 1)] & 0x0F] * a;
                i++;
            }
            FloatVector av = FloatVector.broadcast(floats, a);
            for (; i + step <= blockEnd; i += step, o += step) {
                IntVector wide = widen(packed, (int) (i >> 1));
                lookup(codes(wide, dupLow), t).mul(av).intoArray(out, o);
                lookup(codes(wide, dupHigh), t).mul(av).intoArray(out, o + lanes);
            }
            for (; i + 1 < blockEnd; i += 2) {
                int v = packed[(int) (i >> 1)];
                out[o++] = table[(v >> 4) & 0x0F] * a;
                out[o++] = table[v & 0x0F] * a;
            }
            if (i < blockEnd) {
                out[o] = table[(packed[(int) (i >> 1)] >> 4) & 0x0F] * a;
                i++;
            }
        }
    }

    @Override
    void gemv(QuantState s, int cols, float[] x, float[] y, int rowStart, int rowEnd) {
        byte[] packed = s.packed();
        float[] table = s.quantMap();
        IntVector[] t = tables(table);
        int bs = s.blocksize();
        int step = 2 * lanes;
        for (int r = rowStart; r < rowEnd; r++) {
            long rowBase = (long) r * cols;
            long rowEndFlat = rowBase + cols;
            FloatVector acc0 = FloatVector.zero(floats);
            FloatVector acc1 = FloatVector.zero(floats);
            float tail = 0f;
            long i = rowBase;
            while (i < rowEndFlat) {
                int b = (int) (i / bs);
                long blockEnd = Math.min((long) (b + 1) * bs, rowEndFlat);
                float a = s.blockScale(b);
                int xi = (int) (i - rowBase);
                if ((i & 1) == 1) {
                    tail += table[packed[(int) (i >> 1)] & 0x0F] * a * x[xi++];
                    i++;
                }
                FloatVector av = FloatVector.broadcast(floats, a);
                for (; i + step <= blockEnd; i += step, xi += step) {
                    IntVector wide = widen(packed, (int) (i >> 1));
                    FloatVector w0 = lookup(codes(wide, dupLow), t).mul(av);
                    FloatVector w1 = lookup(codes(wide, dupHigh), t).mul(av);
                    acc0 = w0.fma(FloatVector.fromArray(floats, x, xi), acc0);
                    acc1 = w1.fma(FloatVector.fromArray(floats, x, xi + lanes), acc1);
                }
                for (; i + 1 < blockEnd; i += 2) {
                    int v = packed[(int) (i >> 1)];
                    tail += table[(v >> 4) & 0x0F] * a * x[xi++];
                    tail += table[v & 0x0F] * a * x[xi++];
                }
                if (i < blockEnd) {
                    tail += table[(packed[(int) (i >> 1)] >> 4) & 0x0F] * a * x[xi];
                    i++;
                }
            }
            y[r] = acc0.add(acc1).reduceLanes(VectorOperators.ADD) + tail;
        }
    }

    @Override
    void dotTile(float[] w, int t, int cols, float[] x, int m, float[] y, int ldy, int o0) {
        int upper = floats.loopBound(cols);
        for (int r = 0; r < m; r++) {
            int xo = r * cols;
            int j = 0;
            // Four weight rows share each load of x.
            for (; j + 4 <= t; j += 4) {
                int w0 = j * cols;
                int w1 = w0 + cols;
                int w2 = w1 + cols;
                int w3 = w2 + cols;
                FloatVector a0 = FloatVector.zero(floats);
                FloatVector a1 = FloatVector.zero(floats);
                FloatVector a2 = FloatVector.zero(floats);
                FloatVector a3 = FloatVector.zero(floats);
                int k = 0;
                for (; k < upper; k += lanes) {
                    FloatVector xv = FloatVector.fromArray(floats, x, xo + k);
                    a0 = FloatVector.fromArray(floats, w, w0 + k).fma(xv, a0);
                    a1 = FloatVector.fromArray(floats, w, w1 + k).fma(xv, a1);
                    a2 = FloatVector.fromArray(floats, w, w2 + k).fma(xv, a2);
                    a3 = FloatVector.fromArray(floats, w, w3 + k).fma(xv, a3);
                }
                float s0 = a0.reduceLanes(VectorOperators.ADD);
                float s1 = a1.reduceLanes(VectorOperators.ADD);
                float s2 = a2.reduceLanes(VectorOperators.ADD);
                float s3 = a3.reduceLanes(VectorOperators.ADD);
                for (; k < cols; k++) {
                    float xv = x[xo + k];
                    s0 += w[w0 + k] * xv;
                    s1 += w[w1 + k] * xv;
                    s2 += w[w2 + k] * xv;
                    s3 += w[w3 + k] * xv;
                }
                int yo = r * ldy + o0 + j;
                y[yo] = s0;
                y[yo + 1] = s1;
                y[yo + 2] = s2;
                y[yo + 3] = s3;
            }
            for (; j < t; j++) {
                int wo = j * cols;
                FloatVector acc = FloatVector.zero(floats);
                int k = 0;
                for (; k < upper; k += lanes) {
                    acc = FloatVector.fromArray(floats, w, wo + k).fma(FloatVector.fromArray(floats, x, xo + k), acc);
                }
                float sum = acc.reduceLanes(VectorOperators.ADD);
                for (; k < cols; k++) {
                    sum += w[wo + k] * x[xo + k];
                }
                y[r * ldy + o0 + j] = sum;
            }
        }
    }

    @Override
    public String toString() {
        return "vector(" + lanes + " lanes)";
    }
}
