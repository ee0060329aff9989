package dev.tune4j.backend.cpu;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix kernels on the Vector API: an 8-row × 2-vector register tile (16 accumulators, two B
 * vectors and one broadcast: 19 of the 32 AVX-512 registers) fed by fused multiply-adds, a
 * 4-row × 2-vector tile where vectors are narrower (AVX2 and NEON have 16 registers), and
 * matrix-vector kernels that read weight segments directly, widening BF16 / F16 in registers.
 *
 * <p>Only loaded when {@link CpuFeatures#vectorEnabled()}: every reference to
 * {@code jdk.incubator.vector} lives in this class and {@code VectorRowOps}.
 */
final class VectorKernels extends BlockedGemm {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    static final int L = F.length();
    /** Shorts with as many lanes as {@link #F}: half its width. */
    static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    VectorKernels() {
        this(L >= 16 ? 8 : 4);
    }

    /** With an explicit tile height, 8 or 4 rows. */
    VectorKernels(int tileRows) {
        super(tileRows, 2 * L);
        if (tileRows != 8 && tileRows != 4) {
            throw new IllegalArgumentException("tile height 8 or 4, not " + tileRows);
        }
    }

    @Override
    void microKernel(float[] ap, int apOff, float[] bp, int bpOff, int kc,
                     float[] c, int cOff, int ldc, int rows, int cols, float alpha) {
        if (mr == 8) {
            kernel8(ap, apOff, bp, bpOff, kc, c, cOff, ldc, rows, cols, alpha);
        } else {
            kernel4(ap, apOff, bp, bpOff, kc, c, cOff, ldc, rows, cols, alpha);
        }
    }

    private static void kernel4(float[] ap, int apOff, float[] bp, int bpOff, int kc,
                                float[] c, int cOff, int ldc, int rows, int cols, float alpha) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        int ai = apOff;
        int bi = bpOff;
        for (int p = 0; p < kc; p++, ai += 4, bi += 2 * L) {
            FloatVector b0 = FloatVector.fromArray(F, bp, bi);
            FloatVector b1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector a = FloatVector.broadcast(F, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        FloatVector va = FloatVector.broadcast(F, alpha);
        int r = cOff;
        int rest = cols - L;
        addTo(c00, va, c, r, cols);
        addTo(c01, va, c, r + L, rest);
        if (rows == 1) {
            return;
        }
        r += ldc;
        addTo(c10, va, c, r, cols);
        addTo(c11, va, c, r + L, rest);
        if (rows == 2) {
            return;
        }
        r += ldc;
        addTo(c20, va, c, r, cols);
        addTo(c21, va, c, r + L, rest);
        if (rows == 3) {
            return;
        }
        r += ldc;
        addTo(c30, va, c, r, cols);
        addTo(c31, va, c, r + L, rest);
    }

    private static void kernel8(float[] ap, int apOff, float[] bp, int bpOff, int kc,
                                float[] c, int cOff, int ldc, int rows, int cols, float alpha) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        int ai = apOff;
        int bi = bpOff;
        for (int p = 0; p < kc; p++, ai += 8, bi += 2 * L) {
            FloatVector b0 = FloatVector.fromArray(F, bp, bi);
            FloatVector b1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector a = FloatVector.broadcast(F, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(F, ap[ai + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(F, ap[ai + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        FloatVector va = FloatVector.broadcast(F, alpha);
        int r = cOff;
        int rest = cols - L;
        addTo(c00, va, c, r, cols);
        addTo(c01, va, c, r + L, rest);
        if (rows == 1) {
            return;
        }
        r += ldc;
        addTo(c10, va, c, r, cols);
        addTo(c11, va, c, r + L, rest);
        if (rows == 2) {
            return;
        }
        r += ldc;
        addTo(c20, va, c, r, cols);
        addTo(c21, va, c, r + L, rest);
        if (rows == 3) {
            return;
        }
        r += ldc;
        addTo(c30, va, c, r, cols);
        addTo(c31, va, c, r + L, rest);
        if (rows == 4) {
            return;
        }
        r += ldc;
        addTo(c40, va, c, r, cols);
        addTo(c41, va, c, r + L, rest);
        if (rows == 5) {
            return;
        }
        r += ldc;
        addTo(c50, va, c, r, cols);
        addTo(c51, va, c, r + L, rest);
        if (rows == 6) {
            return;
        }
        r += ldc;
        addTo(c60, va, c, r, cols);
        addTo(c61, va, c, r + L, rest);
        if (rows == 7) {
            return;
        }
        r += ldc;
        addTo(c70, va, c, r, cols);
        addTo(c71, va, c, r + L, rest);
    }

    /** {@code c[idx ..] += alpha * acc} for the first {@code cols} lanes (none when cols ≤ 0). */
    private static void addTo(FloatVector acc, FloatVector alpha, float[] c, int idx, int cols) {
        if (cols >= L) {
            acc.fma(alpha, FloatVector.fromArray(F, c, idx)).intoArray(c, idx);
        } else if (cols > 0) {
            VectorMask<Float> m = F.indexInRange(0, cols);
            acc.fma(alpha, FloatVector.fromArray(F, c, idx, m)).intoArray(c, idx, m);
        }
    }

    // ---- matrix-vector kernels: B stored [n, k], dot products along k ----

    /** Even and odd elements of each row of A ({@code m * (k / 2)} each), for half-precision weights. */
    private record SplitRows(float[] even, float[] odd) {}

    @Override
    Object prepareRows(int m, int k, float[] a, int aOff, int lda, MatrixB b) {
        if (b.isHeap() || b.dtype() == DType.F32) {
            return null;
        }
        int pairs = k / 2;
        float[] even = new float[m * pairs];
        float[] odd = new float[m * pairs];
        for (int i = 0; i < m; i++) {
            for (int q = 0; q < pairs; q++) {
                even[i * pairs + q] = a[aOff + i * lda + 2 * q];
                odd[i * pairs + q] = a[aOff + i * lda + 2 * q + 1];
            }
        }
        return new SplitRows(even, odd);
    }

    @Override
    void gemvT(int m, int k, float[] a, int aOff, int lda, MatrixB b, int j0, int j1,
               float alpha, float beta, float[] c, int cOff, int ldc, Object prepared) {
        int pairs = k / 2;
        SplitRows split = prepared instanceof SplitRows sr ? sr : (SplitRows) prepareRows(m, k, a, aOff, lda, b);
        float[] even = split == null ? null : split.even();
        float[] odd = split == null ? null : split.odd();
        if (m == 1) {
            gemv1(k, a, aOff, b, j0, j1, alpha, beta, c, cOff, even, odd);
            return;
        }
        float[] out = new float[4];
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            // The four B rows stay in L1 while every row of A meets them: B is read from memory once.
            for (int i = 0; i < m; i++) {
                dot4(a, aOff + i * lda, k, b, j, even, odd, i * pairs, out);
                int ci = cOff + i * ldc + j;
                c[ci] = combine(alpha, out[0], beta, c[ci]);
                c[ci + 1] = combine(alpha, out[1], beta, c[ci + 1]);
                c[ci + 2] = combine(alpha, out[2], beta, c[ci + 2]);
                c[ci + 3] = combine(alpha, out[3], beta, c[ci + 3]);
            }
        }
        for (; j < j1; j++) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc + j;
                c[ci] = combine(alpha, dot1(a, aOff + i * lda, k, b, j), beta, c[ci]);
            }
        }
    }

    /**
     * Decode (one row of A): each row of B in turn, streamed with four independent vectors per
     * step, so the loads of one row run ahead while the multiply-adds of the last retire. One
     * row at a time keeps every stream sequential (what the hardware prefetcher follows best),
     * and the four accumulators are summed in a fixed order, so the result does not depend on
     * how the rows were split over threads.
     */
    private static void gemv1(int k, float[] x, int xOff, MatrixB b, int j0, int j1, float alpha, float beta,
                              float[] c, int cOff, float[] even, float[] odd) {
        if (b.isHeap()) {
            float[] w = b.array();
            for (int j = j0; j < j1; j++) {
                c[cOff + j] = combine(alpha, dotRowHeap(x, xOff, k, w, b.offset() + j * b.ld()), beta, c[cOff + j]);
            }
            return;
        }
        MemorySegment seg = b.segment();
        long rowBytes = (long) b.ld() * b.dtype().byteSize();
        switch (b.dtype()) {
            case F32 -> {
                for (int j = j0; j < j1; j++) {
                    c[cOff + j] = combine(alpha, dotRowF32(x, xOff, k, seg, j * rowBytes), beta, c[cOff + j]);
                }
            }
            case BF16 -> {
                for (int j = j0; j < j1; j++) {
                    c[cOff + j] = combine(alpha, dotRowBf16(even, odd, x, xOff, k, seg, j * rowBytes), beta, c[cOff + j]);
                }
            }
            default -> {
                for (int j = j0; j < j1; j++) {
                    c[cOff + j] = combine(alpha, dotF16(even, odd, 0, x, xOff, k, seg, j * rowBytes), beta, c[cOff + j]);
                }
            }
        }
    }

    private static float dotRowHeap(float[] x, int xOff, int k, float[] w, int r) {
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F);
        int p = 0;
        for (; p + 4 * L <= k; p += 4 * L) {
            s0 = FloatVector.fromArray(F, w, r + p).fma(FloatVector.fromArray(F, x, xOff + p), s0);
            s1 = FloatVector.fromArray(F, w, r + p + L).fma(FloatVector.fromArray(F, x, xOff + p + L), s1);
            s2 = FloatVector.fromArray(F, w, r + p + 2 * L).fma(FloatVector.fromArray(F, x, xOff + p + 2 * L), s2);
            s3 = FloatVector.fromArray(F, w, r + p + 3 * L).fma(FloatVector.fromArray(F, x, xOff + p + 3 * L), s3);
        }
        for (; p + L <= k; p += L) {
            s0 = FloatVector.fromArray(F, w, r + p).fma(FloatVector.fromArray(F, x, xOff + p), s0);
        }
        float t = sumLanes(s0.add(s1).add(s2.add(s3)));
        for (; p < k; p++) {
            t += x[xOff + p] * w[r + p];
        }
        return t;
    }

    private static float dotRowF32(float[] x, int xOff, int k, MemorySegment w, long r) {
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F);
        int p = 0;
        for (; p + 4 * L <= k; p += 4 * L) {
            long o = r + (long) p * 4;
            s0 = FloatVector.fromMemorySegment(F, w, o, LE).fma(FloatVector.fromArray(F, x, xOff + p), s0);
            s1 = FloatVector.fromMemorySegment(F, w, o + 4L * L, LE).fma(FloatVector.fromArray(F, x, xOff + p + L), s1);
            s2 = FloatVector.fromMemorySegment(F, w, o + 8L * L, LE).fma(FloatVector.fromArray(F, x, xOff + p + 2 * L), s2);
            s3 = FloatVector.fromMemorySegment(F, w, o + 12L * L, LE).fma(FloatVector.fromArray(F, x, xOff + p + 3 * L), s3);
        }
        for (; p + L <= k; p += L) {
            s0 = FloatVector.fromMemorySegment(F, w, r + (long) p * 4, LE).fma(FloatVector.fromArray(F, x, xOff + p), s0);
        }
        float t = sumLanes(s0.add(s1).add(s2.add(s3)));
        for (; p < k; p++) {
            t += x[xOff + p] * w.get(Tensor.LE_FLOAT, r + (long) p * 4);
        }
        return t;
    }

    /** One BF16 row, read as pairs (see {@link #dot4Bf16}); x split into even and odd elements. */
    private static float dotRowBf16(float[] xe, float[] xo, float[] x, int xOff, int k, MemorySegment w, long r) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F), b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        int pairs = k / 2;
        int q = 0;
        for (; q + 4 * L <= pairs; q += 4 * L) {
            long o = r + (long) q * 4;
            IntVector v0 = IntVector.fromMemorySegment(I, w, o, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, w, o + 4L * L, LE);
            IntVector v2 = IntVector.fromMemorySegment(I, w, o + 8L * L, LE);
            IntVector v3 = IntVector.fromMemorySegment(I, w, o + 12L * L, LE);
            a0 = v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xe, q), a0);
            b0 = v0.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, xo, q), b0);
            a1 = v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xe, q + L), a1);
            b1 = v1.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, xo, q + L), b1);
            a2 = v2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xe, q + 2 * L), a2);
            b2 = v2.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, xo, q + 2 * L), b2);
            a3 = v3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xe, q + 3 * L), a3);
            b3 = v3.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, xo, q + 3 * L), b3);
        }
        for (; q + L <= pairs; q += L) {
            IntVector v0 = IntVector.fromMemorySegment(I, w, r + (long) q * 4, LE);
            a0 = v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xe, q), a0);
            b0 = v0.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, xo, q), b0);
        }
        float t = sumLanes(a0.add(b0).add(a1.add(b1)).add(a2.add(b2).add(a3.add(b3))));
        for (int p = 2 * q; p < k; p++) {
            t += x[xOff + p] * DType.bf16ToFloat(w.get(Tensor.LE_SHORT, r + (long) p * 2));
        }
        return t;
    }

    private static void dot4(float[] x, int xOff, int k, MatrixB b, int j, float[] xe, float[] xo, int xeOff, float[] out) {
        if (b.isHeap()) {
            int r = b.offset() + j * b.ld();
            dot4Heap(x, xOff, k, b.array(), r, b.ld(), out);
            return;
        }
        long rowBytes = (long) b.ld() * b.dtype().byteSize();
        long off = j * rowBytes;
        switch (b.dtype()) {
            case F32 -> dot4F32(x, xOff, k, b.segment(), off, rowBytes, out);
            case BF16 -> dot4Bf16(xe, xo, xeOff, x, xOff, k, b.segment(), off, rowBytes, out);
            default -> dot4F16(xe, xo, xeOff, x, xOff, k, b.segment(), off, rowBytes, out);
        }
    }

    private static void dot4Heap(float[] x, int xOff, int k, float[] w, int r0, int ld, float[] out) {
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F);
        int r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
        int bound = F.loopBound(k);
        int p = 0;
        for (; p < bound; p += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + p);
            s0 = FloatVector.fromArray(F, w, r0 + p).fma(xv, s0);
            s1 = FloatVector.fromArray(F, w, r1 + p).fma(xv, s1);
            s2 = FloatVector.fromArray(F, w, r2 + p).fma(xv, s2);
            s3 = FloatVector.fromArray(F, w, r3 + p).fma(xv, s3);
        }
        float t0 = sumLanes(s0), t1 = sumLanes(s1);
        float t2 = sumLanes(s2), t3 = sumLanes(s3);
        for (; p < k; p++) {
            float xv = x[xOff + p];
            t0 += xv * w[r0 + p];
            t1 += xv * w[r1 + p];
            t2 += xv * w[r2 + p];
            t3 += xv * w[r3 + p];
        }
        out[0] = t0;
        out[1] = t1;
        out[2] = t2;
        out[3] = t3;
    }

    private static void dot4F32(float[] x, int xOff, int k, MemorySegment w, long r0, long rowBytes, float[] out) {
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F);
        long r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
        int bound = F.loopBound(k);
        int p = 0;
        for (; p < bound; p += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + p);
            long o = (long) p * 4;
            s0 = FloatVector.fromMemorySegment(F, w, r0 + o, LE).fma(xv, s0);
            s1 = FloatVector.fromMemorySegment(F, w, r1 + o, LE).fma(xv, s1);
            s2 = FloatVector.fromMemorySegment(F, w, r2 + o, LE).fma(xv, s2);
            s3 = FloatVector.fromMemorySegment(F, w, r3 + o, LE).fma(xv, s3);
        }
        float t0 = sumLanes(s0), t1 = sumLanes(s1);
        float t2 = sumLanes(s2), t3 = sumLanes(s3);
        for (; p < k; p++) {
            float xv = x[xOff + p];
            long o = (long) p * 4;
            t0 += xv * w.get(Tensor.LE_FLOAT, r0 + o);
            t1 += xv * w.get(Tensor.LE_FLOAT, r1 + o);
            t2 += xv * w.get(Tensor.LE_FLOAT, r2 + o);
            t3 += xv * w.get(Tensor.LE_FLOAT, r3 + o);
        }
        out[0] = t0;
        out[1] = t1;
        out[2] = t2;
        out[3] = t3;
    }

    /**
     * Half-precision rows read as pairs: an int lane holds halves 2q (low bits) and 2q + 1 (high
     * bits), so one full-width load brings 2L weights and two shifts or masks widen them without
     * any lane-changing conversion. The x row comes split into its even and odd elements to
     * match ({@code xe}, {@code xo}, each {@code k / 2} long).
     */
    private static void dot4Bf16(float[] xe, float[] xo, int xeOff, float[] x, int xOff, int k, MemorySegment w, long r0,
                                 long rowBytes, float[] out) {
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F);
        long r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
        int pairs = k / 2;
        int bound = F.loopBound(pairs);
        int q = 0;
        for (; q < bound; q += L) {
            FloatVector ev = FloatVector.fromArray(F, xe, xeOff + q);
            FloatVector od = FloatVector.fromArray(F, xo, xeOff + q);
            long o = (long) q * 4;
            IntVector v0 = IntVector.fromMemorySegment(I, w, r0 + o, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, w, r1 + o, LE);
            IntVector v2 = IntVector.fromMemorySegment(I, w, r2 + o, LE);
            IntVector v3 = IntVector.fromMemorySegment(I, w, r3 + o, LE);
            s0 = v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, s0);
            s1 = v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, s1);
            s2 = v2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, s2);
            s3 = v3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, s3);
            s0 = v0.and(0xFFFF0000).reinterpretAsFloats().fma(od, s0);
            s1 = v1.and(0xFFFF0000).reinterpretAsFloats().fma(od, s1);
            s2 = v2.and(0xFFFF0000).reinterpretAsFloats().fma(od, s2);
            s3 = v3.and(0xFFFF0000).reinterpretAsFloats().fma(od, s3);
        }
        float t0 = sumLanes(s0), t1 = sumLanes(s1);
        float t2 = sumLanes(s2), t3 = sumLanes(s3);
        for (int p = 2 * q; p < k; p++) {
            float xv = x[xOff + p];
            long o = (long) p * 2;
            t0 += xv * DType.bf16ToFloat(w.get(Tensor.LE_SHORT, r0 + o));
            t1 += xv * DType.bf16ToFloat(w.get(Tensor.LE_SHORT, r1 + o));
            t2 += xv * DType.bf16ToFloat(w.get(Tensor.LE_SHORT, r2 + o));
            t3 += xv * DType.bf16ToFloat(w.get(Tensor.LE_SHORT, r3 + o));
        }
        out[0] = t0;
        out[1] = t1;
        out[2] = t2;
        out[3] = t3;
    }

    /**
     * As {@link #dot4Bf16} for IEEE halves, one row per call: the widening (see
     * {@link #halfBitsToFloat}) is written out in the loop because the JIT stops inlining helper
     * calls into a method this large, and a vector crossing a call boundary is boxed.
     */
    private static void dot4F16(float[] xe, float[] xo, int xeOff, float[] x, int xOff, int k, MemorySegment w,
                                long r0, long rowBytes, float[] out) {
        for (int r = 0; r < 4; r++) {
            out[r] = dotF16(xe, xo, xeOff, x, xOff, k, w, r0 + r * rowBytes);
        }
    }

    private static float dotF16(float[] xe, float[] xo, int xeOff, float[] x, int xOff, int k, MemorySegment w, long row) {
        FloatVector se = FloatVector.zero(F), so = FloatVector.zero(F);
        int pairs = k / 2;
        int bound = F.loopBound(pairs);
        int q = 0;
        for (; q < bound; q += L) {
            IntVector v = IntVector.fromMemorySegment(I, w, row + (long) q * 4, LE);
            IntVector te = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000);
            IntVector to = v.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000);
            IntVector he = te.and(0x0F800000).add(0x00800000).lanewise(VectorOperators.LSHR, 28).neg().and(0x7F800000);
            IntVector ho = to.and(0x0F800000).add(0x00800000).lanewise(VectorOperators.LSHR, 28).neg().and(0x7F800000);
            FloatVector fe = te.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts().or(he).reinterpretAsFloats();
            FloatVector fo = to.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts().or(ho).reinterpretAsFloats();
            se = fe.fma(FloatVector.fromArray(F, xe, xeOff + q), se);
            so = fo.fma(FloatVector.fromArray(F, xo, xeOff + q), so);
        }
        float t = sumLanes(se.add(so));
        for (int p = 2 * q; p < k; p++) {
            t += x[xOff + p] * Float.float16ToFloat(w.get(Tensor.LE_SHORT, row + (long) p * 2));
        }
        return t;
    }

    /** One dot product of x with row j of B (the ragged end of {@link #gemvT}). */
    private float dot1(float[] x, int xOff, int k, MatrixB b, int j) {
        float[] row;
        int rowOff;
        if (b.isHeap()) {
            row = b.array();
            rowOff = b.offset() + j * b.ld();
        } else {
            row = new float[k];
            rowOff = 0;
            convertRow(b.segment(), b.dtype(), (long) j * b.ld() * b.dtype().byteSize(), row, k, null);
        }
        FloatVector s = FloatVector.zero(F);
        int bound = F.loopBound(k);
        int p = 0;
        for (; p < bound; p += L) {
            s = FloatVector.fromArray(F, row, rowOff + p).fma(FloatVector.fromArray(F, x, xOff + p), s);
        }
        float t = sumLanes(s);
        for (; p < k; p++) {
            t += x[xOff + p] * row[rowOff + p];
        }
        return t;
    }

    // ---- matrix-vector kernel: B stored [k, n], axpy along n ----

    @Override
    void gemvN(int m, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               int j0, int j1, float alpha, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ao = aOff + i * lda;
            int co = cOff + i * ldc;
            int j = j0;
            for (; j + 4 * L <= j1; j += 4 * L) {
                FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F);
                int bo = bOff + j;
                for (int p = 0; p < k; p++, bo += ldb) {
                    FloatVector av = FloatVector.broadcast(F, a[ao + p]);
                    s0 = FloatVector.fromArray(F, b, bo).fma(av, s0);
                    s1 = FloatVector.fromArray(F, b, bo + L).fma(av, s1);
                    s2 = FloatVector.fromArray(F, b, bo + 2 * L).fma(av, s2);
                    s3 = FloatVector.fromArray(F, b, bo + 3 * L).fma(av, s3);
                }
                storeCombined(s0, alpha, beta, c, co + j, L);
                storeCombined(s1, alpha, beta, c, co + j + L, L);
                storeCombined(s2, alpha, beta, c, co + j + 2 * L, L);
                storeCombined(s3, alpha, beta, c, co + j + 3 * L, L);
            }
            for (; j < j1; j += L) {
                int cols = Math.min(L, j1 - j);
                VectorMask<Float> mask = F.indexInRange(0, cols);
                FloatVector s = FloatVector.zero(F);
                int bo = bOff + j;
                for (int p = 0; p < k; p++, bo += ldb) {
                    s = FloatVector.fromArray(F, b, bo, mask).fma(FloatVector.broadcast(F, a[ao + p]), s);
                }
                storeCombined(s, alpha, beta, c, co + j, cols);
            }
        }
    }

    /** {@code c[idx ..] = alpha * acc + beta * c[idx ..]} on the first {@code cols} lanes. */
    private static void storeCombined(FloatVector acc, float alpha, float beta, float[] c, int idx, int cols) {
        FloatVector r = acc.mul(alpha);
        if (cols >= L) {
            if (beta != 0f) {
                r = FloatVector.fromArray(F, c, idx).fma(FloatVector.broadcast(F, beta), r);
            }
            r.intoArray(c, idx);
        } else {
            VectorMask<Float> m = F.indexInRange(0, cols);
            if (beta != 0f) {
                r = FloatVector.fromArray(F, c, idx, m).fma(FloatVector.broadcast(F, beta), r);
            }
            r.intoArray(c, idx, m);
        }
    }

    // ---- half-precision widening ----

    /**
     * The IEEE half in the top 16 bits of each lane (low bits ignored), as a float, exactly.
     * An arithmetic shift right by 3 puts sign at bit 31 (bits 28-30 hold sign copies and are
     * cleared) and exponent and mantissa in float position; multiplying by 2^112 rebiases the
     * exponent, exactly for normal and subnormal halves alike. Halves with an all-ones exponent
     * (infinity, NaN) then get an all-ones float exponent: {@code ((t & 0x0F800000) + 0x00800000)
     * >>> 28} is 1 exactly for them. Plain integer lane operations only.
     */
    static FloatVector halfBitsToFloat(IntVector top) {
        IntVector t = top.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000);
        IntVector special = t.and(0x0F800000).add(0x00800000).lanewise(VectorOperators.LSHR, 28).neg().and(0x7F800000);
        return t.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts().or(special).reinterpretAsFloats();
    }

    @Override
    void convertRow(MemorySegment seg, DType dtype, long byteOff, float[] dst, int len, Scratch s) {
        if (dtype != DType.BF16 && dtype != DType.F16) {
            super.convertRow(seg, dtype, byteOff, dst, len, s);
            return;
        }
        // Shorts widen to ints in lane order (sign-extended), then move to the top half.
        int bound = F.loopBound(len);
        int p = 0;
        if (dtype == DType.BF16) {
            for (; p < bound; p += L) {
                ((IntVector) ShortVector.fromMemorySegment(H, seg, byteOff + 2L * p, LE).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, p);
            }
            for (; p < len; p++) {
                dst[p] = DType.bf16ToFloat(seg.get(Tensor.LE_SHORT, byteOff + 2L * p));
            }
        } else {
            for (; p < bound; p += L) {
                halfBitsToFloat(((IntVector) ShortVector.fromMemorySegment(H, seg, byteOff + 2L * p, LE)
                        .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)).intoArray(dst, p);
            }
            for (; p < len; p++) {
                dst[p] = Float.float16ToFloat(seg.get(Tensor.LE_SHORT, byteOff + 2L * p));
            }
        }
    }

    /**
     * Sum of the lanes in a fixed order: halves added lanewise (512 → 256 → 128 bits), then the
     * last four as (0 + 2) + (1 + 3). {@code reduceLanes(ADD)} leaves the order of the float
     * additions unspecified, and it differs between the interpreter and compiled code, so the same
     * inputs gave different bits as the JIT warmed up; a fixed order keeps every result (and so
     * training runs) reproducible.
     */
    static float sumLanes(FloatVector v) {
        if (L == 16) {
            FloatVector h = ((FloatVector) v.reinterpretShape(F8, 0)).add((FloatVector) v.reinterpretShape(F8, 1));
            FloatVector q = ((FloatVector) h.reinterpretShape(F4, 0)).add((FloatVector) h.reinterpretShape(F4, 1));
            return (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
        }
        if (L == 8) {
            FloatVector q = ((FloatVector) v.reinterpretShape(F4, 0)).add((FloatVector) v.reinterpretShape(F4, 1));
            return (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
        }
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }
}
