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
 * so dequantization is bit-identical to the scalar path. The mat-vec skips the interleaving on
 * even widths: high nibbles multiply the even elements of x and low nibbles the odd ones.
 */
final class VectorKernels4bit extends Kernels4bit {
    // Species must be compile-time constants (static final) for C2 to intrinsify the Vector API;
    // read from an instance field every operation falls back to boxed Java code.
    private static final VectorSpecies<Integer> INTS =
            IntVector.SPECIES_PREFERRED.length() >= 16 ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    private static final VectorSpecies<Float> FLOATS =
            INTS.length() == 16 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> BYTES =
            INTS.length() == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    private static final int LANES = INTS.length();
    private static final VectorShuffle<Integer> DUP_LOW = shuffle(0);
    private static final VectorShuffle<Integer> DUP_HIGH = shuffle(LANES / 2);
    private static final IntVector SHIFTS = shifts();

    /** Refuses hardware narrower than 256-bit vectors, where the scalar loops serve. */
    VectorKernels4bit() {
        if (IntVector.SPECIES_PREFERRED.length() < 8) {
            throw new UnsupportedOperationException("vector width below 256 bits");
        }
    }

    /** Lane j reads int lane first + j / 2: each byte feeds two output lanes. */
    private static VectorShuffle<Integer> shuffle(int first) {
        int[] idx = new int[LANES];
        for (int j = 0; j < LANES; j++) {
            idx[j] = first + j / 2;
        }
        return VectorShuffle.fromArray(INTS, idx, 0);
    }

    /** Even lanes shift the high nibble down, odd lanes keep the low one. */
    private static IntVector shifts() {
        int[] sh = new int[LANES];
        for (int j = 0; j < LANES; j++) {
            sh[j] = (j & 1) == 0 ? 4 : 0;
        }
        return IntVector.fromArray(INTS, sh, 0);
    }

    /** Table entries {@code [from, from + LANES)} as int bits (the whole table with 16 lanes). */
    private static IntVector table(float[] quantMap, int from) {
        int[] bits = new int[16];
        for (int i = 0; i < 16; i++) {
            bits[i] = Float.floatToRawIntBits(quantMap[i]);
        }
        return IntVector.fromArray(INTS, bits, LANES == 16 ? 0 : from);
    }

    /** Table values of the codes in {@code idx} (each 0..15); t0/t1 are entries 0-7 and 8-15 with 8 lanes. */
    private static FloatVector lookup(IntVector idx, IntVector t0, IntVector t1) {
        if (LANES == 16) {
            return idx.selectFrom(t0).reinterpretAsFloats();
        }
        IntVector low = idx.and(7);
        VectorMask<Integer> upper = idx.compare(VectorOperators.GE, 8);
        return low.selectFrom(t0).blend(low.selectFrom(t1), upper).reinterpretAsFloats();
    }

    /** Codes of 2L elements starting at byte p: first L in [0], next L in [1]. */
    private static IntVector widen(byte[] packed, int p) {
        return (IntVector) ByteVector.fromArray(BYTES, packed, p).convertShape(VectorOperators.B2I, INTS, 0);
    }

    private static IntVector codes(IntVector wide, VectorShuffle<Integer> dup) {
        return wide.rearrange(dup).lanewise(VectorOperators.LSHR, SHIFTS).and(0x0F);
    }

    /**
     * 16-entry tables: the sorted position is the count of midpoints below the value, counted
     * with one compare per midpoint across all lanes (exact, as comparisons are); the 8-bit
     * tables keep the scalar search.
     */
    @Override
    void encode(float[] x, int start, int len, float factor, boolean divide, Codebook book, byte[] codes) {
        float[] mids = book.mids();
        if (mids.length != 15) {
            super.encode(x, start, len, factor, divide, book, codes);
            return;
        }
        int[] order = book.positionToIndex();
        boolean identity = true;
        for (int k = 0; k < 16; k++) {
            identity &= order[k] == k;
        }
        IntVector orderLo = IntVector.fromArray(INTS, order, 0);
        IntVector orderHi = LANES == 16 ? orderLo : IntVector.fromArray(INTS, order, 8);
        FloatVector f = FloatVector.broadcast(FLOATS, factor);
        int[] buf = new int[LANES];
        int j = 0;
        for (; j + LANES <= len; j += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, start + j);
            v = divide ? v.div(f) : v.mul(f);
            v = v.max(-1f).min(1f);
            IntVector pos = IntVector.zero(INTS);
            for (int k = 0; k < 15; k++) {
                VectorMask<Float> below = v.compare(VectorOperators.GT, mids[k]);
                pos = pos.add(1, below.cast(INTS));
            }
            if (!identity) {
                pos = LANES == 16 ? pos.selectFrom(orderLo) : lookupInts(pos, orderLo, orderHi);
            }
            pos.intoArray(buf, 0);
            for (int l = 0; l < LANES; l++) {
                codes[j + l] = (byte) buf[l];
            }
        }
        for (; j < len; j++) {
            float v = divide ? x[start + j] / factor : x[start + j] * factor;
            codes[j] = (byte) book.index(Blockwise.clamp(v));
        }
    }

    private static IntVector lookupInts(IntVector idx, IntVector t0, IntVector t1) {
        IntVector low = idx.and(7);
        VectorMask<Integer> upper = idx.compare(VectorOperators.GE, 8);
        return low.selectFrom(t0).blend(low.selectFrom(t1), upper);
    }

    @Override
    void dequantize(QuantState s, long start, int len, float[] out, int outOff) {
        byte[] packed = s.packed();
        float[] table = s.quantMap();
        IntVector t0 = table(table, 0);
        IntVector t1 = table(table, 8);
        int bs = s.blocksize();
        int shift = Integer.numberOfTrailingZeros(bs);
        int step = 2 * LANES;
        long end = start + len;
        long i = start;
        while (i < end) {
            int b = (int) (i >>> shift);
            long blockEnd = Math.min((long) (b + 1) * bs, end);
            float a = s.blockScale(b);
            int o = outOff + (int) (i - start);
            if ((i & 1) == 1) {
                out[o++] = table[packed[(int) (i >> 1)] & 0x0F] * a;
                i++;
            }
            FloatVector av = FloatVector.broadcast(FLOATS, a);
            for (; i + step <= blockEnd; i += step, o += step) {
                IntVector wide = widen(packed, (int) (i >> 1));
                lookup(codes(wide, DUP_LOW), t0, t1).mul(av).intoArray(out, o);
                lookup(codes(wide, DUP_HIGH), t0, t1).mul(av).intoArray(out, o + LANES);
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
        IntVector t0 = table(table, 0);
        IntVector t1 = table(table, 8);
        int bs = s.blocksize();
        int shift = Integer.numberOfTrailingZeros(bs);
        int step = 2 * LANES;
        float[] xEven = null;
        float[] xOdd = null;
        if ((cols & 1) == 0) {
            xEven = new float[cols / 2];
            xOdd = new float[cols / 2];
            for (int k = 0; k < cols / 2; k++) {
                xEven[k] = x[2 * k];
                xOdd[k] = x[2 * k + 1];
            }
        }
        if (xEven != null && bs % step == 0 && cols % bs == 0) {
            gemvAligned(s, cols, xEven, xOdd, y, rowStart, rowEnd, t0, t1);
            return;
        }
        for (int r = rowStart; r < rowEnd; r++) {
            long rowBase = (long) r * cols;
            long rowEndFlat = rowBase + cols;
            FloatVector acc0 = FloatVector.zero(FLOATS);
            FloatVector acc1 = FloatVector.zero(FLOATS);
            float tail = 0f;
            long i = rowBase;
            while (i < rowEndFlat) {
                int b = (int) (i >>> shift);
                long blockEnd = Math.min((long) (b + 1) * bs, rowEndFlat);
                float a = s.blockScale(b);
                int xi = (int) (i - rowBase);
                if ((i & 1) == 1) {
                    tail += table[packed[(int) (i >> 1)] & 0x0F] * a * x[xi++];
                    i++;
                }
                FloatVector av = FloatVector.broadcast(FLOATS, a);
                if (xEven != null) {
                    // Even width: high nibbles pair with x[0], x[2], ... and low ones with x[1], x[3], ...,
                    // so the codes need no interleaving.
                    for (; i + step <= blockEnd; i += step, xi += step) {
                        IntVector wide = widen(packed, (int) (i >> 1));
                        FloatVector w0 = lookup(wide.lanewise(VectorOperators.LSHR, 4).and(0x0F), t0, t1).mul(av);
                        FloatVector w1 = lookup(wide.and(0x0F), t0, t1).mul(av);
                        acc0 = w0.fma(FloatVector.fromArray(FLOATS, xEven, xi >> 1), acc0);
                        acc1 = w1.fma(FloatVector.fromArray(FLOATS, xOdd, xi >> 1), acc1);
                    }
                }
                for (; i + step <= blockEnd; i += step, xi += step) {
                    IntVector wide = widen(packed, (int) (i >> 1));
                    FloatVector w0 = lookup(codes(wide, DUP_LOW), t0, t1).mul(av);
                    FloatVector w1 = lookup(codes(wide, DUP_HIGH), t0, t1).mul(av);
                    acc0 = w0.fma(FloatVector.fromArray(FLOATS, x, xi), acc0);
                    acc1 = w1.fma(FloatVector.fromArray(FLOATS, x, xi + LANES), acc1);
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
            y[r] = sumLanes(acc0.add(acc1)) + tail;
        }
    }

    /**
     * The mat-vec when rows are whole blocks and a block whole vector steps (every real shape:
     * blocksize 64 and widths that are multiples of it). Each block's codes are multiplied with x
     * as table values, and the block's partial sums are scaled once by its absmax: one multiply
     * per block instead of one per vector, and no bounds or parity checks inside the block.
     */
    private static void gemvAligned(QuantState s, int cols, float[] xEven, float[] xOdd, float[] y,
                                    int rowStart, int rowEnd, IntVector t0, IntVector t1) {
        byte[] packed = s.packed();
        int bs = s.blocksize();
        int blocksPerRow = cols / bs;
        int bytesPerBlock = bs / 2;
        float[] scales = new float[blocksPerRow];
        for (int r = rowStart; r < rowEnd; r++) {
            FloatVector acc0 = FloatVector.zero(FLOATS);
            FloatVector acc1 = FloatVector.zero(FLOATS);
            long firstBlock = (long) r * blocksPerRow;
            s.blockScales((int) firstBlock, blocksPerRow, scales);
            int byteOff = (int) (firstBlock * bytesPerBlock);
            int xi = 0;
            if (bs == 64 && LANES == 16) {
                // bitsandbytes' default block: two steps, written out, so the JIT does not wrap a
                // two-trip loop in pre/main/post loops for every block.
                for (int b = 0; b < blocksPerRow; b++, byteOff += 32, xi += 32) {
                    IntVector w0 = widen(packed, byteOff);
                    IntVector w1 = widen(packed, byteOff + 16);
                    FloatVector p0 = lookup(w0.lanewise(VectorOperators.LSHR, 4).and(0x0F), t0, t1)
                            .mul(FloatVector.fromArray(FLOATS, xEven, xi));
                    FloatVector p1 = lookup(w0.and(0x0F), t0, t1).mul(FloatVector.fromArray(FLOATS, xOdd, xi));
                    p0 = lookup(w1.lanewise(VectorOperators.LSHR, 4).and(0x0F), t0, t1)
                            .fma(FloatVector.fromArray(FLOATS, xEven, xi + 16), p0);
                    p1 = lookup(w1.and(0x0F), t0, t1).fma(FloatVector.fromArray(FLOATS, xOdd, xi + 16), p1);
                    FloatVector a = FloatVector.broadcast(FLOATS, scales[b]);
                    acc0 = p0.fma(a, acc0);
                    acc1 = p1.fma(a, acc1);
                }
                y[r] = sumLanes(acc0.add(acc1));
                continue;
            }
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector p0 = FloatVector.zero(FLOATS);
                FloatVector p1 = FloatVector.zero(FLOATS);
                for (int e = 0; e < bytesPerBlock; e += LANES, byteOff += LANES, xi += LANES) {
                    IntVector wide = widen(packed, byteOff);
                    p0 = lookup(wide.lanewise(VectorOperators.LSHR, 4).and(0x0F), t0, t1)
                            .fma(FloatVector.fromArray(FLOATS, xEven, xi), p0);
                    p1 = lookup(wide.and(0x0F), t0, t1).fma(FloatVector.fromArray(FLOATS, xOdd, xi), p1);
                }
                FloatVector a = FloatVector.broadcast(FLOATS, scales[b]);
                acc0 = p0.fma(a, acc0);
                acc1 = p1.fma(a, acc1);
            }
            y[r] = sumLanes(acc0.add(acc1));
        }
    }

    @Override
    void dotTile(float[] w, int t, int cols, float[] x, int m, float[] y, int ldy, int o0) {
        int upper = FLOATS.loopBound(cols);
        for (int r = 0; r < m; r++) {
            int xo = r * cols;
            int j = 0;
            // Four weight rows share each load of x.
            for (; j + 4 <= t; j += 4) {
                int w0 = j * cols;
                int w1 = w0 + cols;
                int w2 = w1 + cols;
                int w3 = w2 + cols;
                FloatVector a0 = FloatVector.zero(FLOATS);
                FloatVector a1 = FloatVector.zero(FLOATS);
                FloatVector a2 = FloatVector.zero(FLOATS);
                FloatVector a3 = FloatVector.zero(FLOATS);
                int k = 0;
                for (; k < upper; k += LANES) {
                    FloatVector xv = FloatVector.fromArray(FLOATS, x, xo + k);
                    a0 = FloatVector.fromArray(FLOATS, w, w0 + k).fma(xv, a0);
                    a1 = FloatVector.fromArray(FLOATS, w, w1 + k).fma(xv, a1);
                    a2 = FloatVector.fromArray(FLOATS, w, w2 + k).fma(xv, a2);
                    a3 = FloatVector.fromArray(FLOATS, w, w3 + k).fma(xv, a3);
                }
                float s0 = sumLanes(a0);
                float s1 = sumLanes(a1);
                float s2 = sumLanes(a2);
                float s3 = sumLanes(a3);
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
                FloatVector acc = FloatVector.zero(FLOATS);
                int k = 0;
                for (; k < upper; k += LANES) {
                    acc = FloatVector.fromArray(FLOATS, w, wo + k).fma(FloatVector.fromArray(FLOATS, x, xo + k), acc);
                }
                float sum = sumLanes(acc);
                for (; k < cols; k++) {
                    sum += w[wo + k] * x[xo + k];
                }
                y[r * ldy + o0 + j] = sum;
            }
        }
    }

    @Override
    public String toString() {
        return "vector(" + LANES + " lanes)";
    }

    /**
     * Sum of the lanes in lane order. {@code reduceLanes(ADD)} leaves the order of the float
     * additions unspecified, and it differs between the interpreter and compiled code, so the same
     * inputs gave different bits as the JIT warmed up; a fixed order keeps every result (and so
     * training runs) reproducible.
     */
    private static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }
}
