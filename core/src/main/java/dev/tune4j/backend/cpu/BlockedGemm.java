package dev.tune4j.backend.cpu;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The cache-blocked matrix product shared by the scalar and the SIMD kernels (the Goto / BLIS
 * scheme): B is packed into panels {@code nr} columns wide and A into panels {@code mr} rows tall,
 * so that the register-tiled micro-kernel reads both with unit stride; the k dimension is cut into
 * blocks of {@link #KC} so a B micro-panel stays in L1 while the A block stays in L2. Subclasses
 * provide the micro-kernel, the matrix-vector kernels for skinny left operands (m ≤
 * {@link #SMALL_M}: decode) and the row conversion of half-precision weights.
 *
 * <p>op(A) is packed once (per block of at most {@link #A_PACK_LIMIT} floats) and shared; then the
 * columns of C are split over {@link Parallel} in several chunks per thread, each packing its own
 * B panels, so no thread waits for another and a core busy elsewhere hands its share over. When
 * C is too narrow for that (a LoRA rank, say) the rows are split instead.
 */
abstract class BlockedGemm {
    /** Depth of one packed block: a kc × nr panel of B is 16 to 32 KB and fits L1. */
    static final int KC = 256;
    /** Rows of A swept per B panel (kc × MC floats: 128 KB, in L2). */
    static final int MC_TARGET = 128;
    /** Columns of B packed at a time (kc × NC floats: 1 MB, in L2). */
    static final int NC_TARGET = 1024;
    /** Left operands with at most this many rows take the matrix-vector path. */
    static final int SMALL_M = 4;
    /** Most floats of op(A) packed at once (16 MB); taller products go in blocks of rows. */
    static final long A_PACK_LIMIT = 1L << 22;
    /** Minimum multiply-adds a thread is given; below this, waking a worker costs more than it saves. */
    static final long MIN_WORK_PER_THREAD = 1L << 16;

    final int mr;
    final int nr;
    private final int mc;
    private final int nc;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    BlockedGemm(int mr, int nr) {
        this.mr = mr;
        this.nr = nr;
        this.mc = Math.max(mr, MC_TARGET / mr * mr);
        this.nc = Math.max(nr, NC_TARGET / nr * nr);
    }

    /**
     * Per-thread packing buffers, reused across calls. {@code apack} belongs to the thread that
     * called {@link #gemm} and is only read by the helpers while that call runs.
     */
    static final class Scratch {
        float[] apack = new float[0];
        float[] bpack = new float[0];
        float[] row = new float[0];
        short[] halves = new short[0];

        float[] row(int len) {
            if (row.length < len) {
                row = new float[len];
            }
            return row;
        }

        short[] halves(int len) {
            if (halves.length < len) {
                halves = new short[len];
            }
            return halves;
        }
    }

    /**
     * {@code c[i, j] += alpha * sum_p ap[p, i] * bp[p, j]} for one tile: {@code ap} holds an
     * mr-row panel (kc steps of mr values), {@code bp} an nr-column panel (kc steps of nr values),
     * both zero-padded; only {@code rows × cols} of C are written.
     */
    abstract void microKernel(float[] ap, int apOff, float[] bp, int bpOff, int kc,
                              float[] c, int cOff, int ldc, int rows, int cols, float alpha);

    /**
     * Skinny product against B stored [n, k]: for rows {@code i < m} of A (unit stride, row
     * stride {@code lda}) and columns {@code j0 <= j < j1}:
     * {@code c[i, j] = alpha * dot(a_i, b_j) + beta * c[i, j]} (C ignored when beta is 0).
     */
    abstract void gemvT(int m, int k, float[] a, int aOff, int lda, MatrixB b, int j0, int j1,
                        float alpha, float beta, float[] c, int cOff, int ldc, Object prepared);

    /**
     * Work on the rows of A that every {@link #gemvT} chunk of one product shares, done once
     * before the product is split (null when a kernel needs none).
     */
    Object prepareRows(int m, int k, float[] a, int aOff, int lda, MatrixB b) {
        return null;
    }

    /**
     * Skinny product against heap B stored [k, n] (row stride ldb), columns {@code j0 <= j < j1}:
     * {@code c[i, j] = alpha * sum_p a[i, p] * b[p, j] + beta * c[i, j]}.
     */
    abstract void gemvN(int m, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                        int j0, int j1, float alpha, float beta, float[] c, int cOff, int ldc);

    /** {@code len} values of a segment of {@code dtype} starting at {@code byteOff}, as floats. */
    void convertRow(MemorySegment seg, DType dtype, long byteOff, float[] dst, int len, Scratch s) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(seg, Tensor.LE_FLOAT, byteOff, dst, 0, len);
            case BF16 -> {
                short[] h = s.halves(len);
                MemorySegment.copy(seg, Tensor.LE_SHORT, byteOff, h, 0, len);
                for (int p = 0; p < len; p++) {
                    dst[p] = Float.intBitsToFloat(h[p] << 16);
                }
            }
            case F16 -> {
                short[] h = s.halves(len);
                MemorySegment.copy(seg, Tensor.LE_SHORT, byteOff, h, 0, len);
                for (int p = 0; p < len; p++) {
                    dst[p] = Float.float16ToFloat(h[p]);
                }
            }
            default -> throw new IllegalArgumentException("matrix products read F32, F16 or BF16 weights, not " + dtype);
        }
    }

    /** {@code C = alpha * op(A) * B + beta * C}; arguments already validated. */
    final void gemm(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                    MatrixB b, float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scaleC(beta, c, cOff, ldc, 0, m, 0, n);
            return;
        }
        if (m <= SMALL_M) {
            skinny(transA, m, n, k, alpha, a, aOff, lda, b, beta, c, cOff, ldc);
            return;
        }
        long work = (long) m * n * k;
        if (!b.isHeap() && !Parallel.workersCanAccess(b.segment())) {
            work = 0; // confined memory: only this thread may read it
        }
        int threads = (int) Math.max(1, Math.min(Parallel.parallelism(), work / MIN_WORK_PER_THREAD));
        int tilesN = (n + nr - 1) / nr;
        // op(A) is packed once per block of rows and shared by every thread; blocks are capped so
        // the packed copy stays small whatever m * k is (a vocabulary-sized gradient, say).
        int rowBlock = (int) Math.max(mr, Math.min((long) m, A_PACK_LIMIT / k) / mr * mr);
        Scratch s = scratch.get();
        int panelsMax = (Math.min(m, rowBlock) + mr - 1) / mr;
        if (s.apack.length < panelsMax * mr * k) {
            s.apack = new float[panelsMax * mr * k];
        }
        float[] ap = s.apack;
        for (int r0 = 0; r0 < m; r0 += rowBlock) {
            int r1 = Math.min(m, r0 + rowBlock);
            int panels = (r1 - r0 + mr - 1) / mr;
            int rows = r1 - r0;
            int start = r0;
            Parallel.forRange(panels, Math.max(1, panels / threads), threads, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    packAPanel(transA, a, aOff, lda, start, rows, t, k, ap);
                }
            });
            if (threads == 1) {
                blocked(ap, rows, k, alpha, b, beta, c, cOff, ldc, r0, 0, panels, 0, n);
            } else if (tilesN >= 2 * threads) {
                // Columns in chunks of at least two tiles, several per thread so the split rebalances.
                Parallel.forRange(tilesN, 2, threads * Parallel.CHUNKS_PER_THREAD, (t0, t1) ->
                        blocked(ap, rows, k, alpha, b, beta, c, cOff, ldc, start, 0, panels, t0 * nr, Math.min(n, t1 * nr)));
            } else {
                // Narrow C (a LoRA rank, say): split the rows; each thread packs the few columns itself.
                Parallel.forRange(panels, 1, threads, (t0, t1) ->
                        blocked(ap, rows, k, alpha, b, beta, c, cOff, ldc, start, t0, t1, 0, n));
            }
        }
    }

    private void skinny(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                        MatrixB b, float beta, float[] c, int cOff, int ldc) {
        float[] rows = a;
        int rowsOff = aOff;
        int rowStride = lda;
        if (transA) {
            // op(A) rows are columns of the stored A: gather them once so the kernels read unit stride.
            rows = new float[m * k];
            for (int p = 0; p < k; p++) {
                for (int i = 0; i < m; i++) {
                    rows[i * k + p] = a[aOff + p * lda + i];
                }
            }
            rowsOff = 0;
            rowStride = k;
        }
        float[] ra = rows;
        int ro = rowsOff;
        int rs = rowStride;
        int minCols = (int) Math.max(1, MIN_WORK_PER_THREAD / ((long) m * k));
        if (!b.isHeap() && !Parallel.workersCanAccess(b.segment())) {
            minCols = n; // confined memory: only this thread may read it
        }
        if (b.trans()) {
            // Split on groups of four B rows, the unit of the dot-product kernels.
            int groups = (n + 3) / 4;
            Object prepared = prepareRows(m, k, ra, ro, rs, b);
            Parallel.forRange(groups, Math.max(1, minCols / 4), (g0, g1) ->
                    gemvT(m, k, ra, ro, rs, b, g0 * 4, Math.min(n, g1 * 4), alpha, beta, c, cOff, ldc, prepared));
        } else {
            // Split on whole 64-column blocks so every thread but the last works on full vectors.
            int blocks = (n + 63) / 64;
            int minBlocks = Math.max(1, minCols / 64);
            Parallel.forRange(blocks, minBlocks, (b0, b1) -> gemvN(m, k, ra, ro, rs, b.array(), b.offset(), b.ld(),
                    b0 * 64, Math.min(n, b1 * 64), alpha, beta, c, cOff, ldc));
        }
    }

    /**
     * The blocked product for the C block of row panels {@code [t0, t1)} of the packed rows
     * starting at {@code rowBase} and columns {@code [j0, j1)}, on the calling thread.
     */
    private void blocked(float[] ap, int rows, int k, float alpha, MatrixB b, float beta, float[] c, int cOff, int ldc,
                         int rowBase, int t0, int t1, int j0, int j1) {
        int i0 = rowBase + t0 * mr;
        int i1 = rowBase + Math.min(rows, t1 * mr);
        scaleC(beta, c, cOff, ldc, i0, i1, j0, j1);
        int panelsPerBlock = mc / mr;
        Scratch s = scratch.get();
        int kcMax = Math.min(KC, k);
        if (s.bpack.length < kcMax * nc) {
            s.bpack = new float[kcMax * nc];
        }
        float[] bp = s.bpack;
        int packedRows = (rows + mr - 1) / mr * mr;
        for (int jc = j0; jc < j1; jc += nc) {
            int ncur = Math.min(nc, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(b, pc, kc, jc, ncur, bp, s);
                int blockBase = pc * packedRows;
                // Groups of mc rows keep the A panels in use within L2 while the B panels cycle through L1.
                for (int tb = t0; tb < t1; tb += panelsPerBlock) {
                    int te = Math.min(t1, tb + panelsPerBlock);
                    for (int jr = 0; jr < ncur; jr += nr) {
                        int cols = Math.min(nr, ncur - jr);
                        for (int t = tb; t < te; t++) {
                            int i = t * mr;
                            microKernel(ap, blockBase + i * kc, bp, jr * kc, kc,
                                    c, cOff + (rowBase + i) * ldc + jc + jr, ldc, Math.min(mr, rows - i), cols, alpha);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs row panel {@code t} (rows {@code rowBase + t*mr ..}, zero-padded past {@code rows})
     * of op(A) for every k block: block {@code pc} starts at {@code pc * paddedRows} and holds
     * its panels one after the other, {@code kc} steps of {@code mr} values each.
     */
    private void packAPanel(boolean transA, float[] a, int aOff, int lda, int rowBase, int rows, int t, int k, float[] dst) {
        int packedRows = (rows + mr - 1) / mr * mr;
        int valid = Math.min(mr, rows - t * mr);
        int i = rowBase + t * mr;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int base = pc * packedRows + t * mr * kc;
            if (transA) {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + i;
                    int d = base + p * mr;
                    System.arraycopy(a, src, dst, d, valid);
                    for (int r = valid; r < mr; r++) {
                        dst[d + r] = 0f;
                    }
                }
            } else {
                for (int r = 0; r < valid; r++) {
                    int src = aOff + (i + r) * lda + pc;
                    for (int p = 0, d = base + r; p < kc; p++, d += mr) {
                        dst[d] = a[src + p];
                    }
                }
                for (int r = valid; r < mr; r++) {
                    for (int p = 0, d = base + r; p < kc; p++, d += mr) {
                        dst[d] = 0f;
                    }
                }
            }
        }
    }

    /** Packs op(B)[pc:pc+kc, jc:jc+cols] into nr-column panels: {@code dst[t*nr*kc + p*nr + j]}. */
    private void packB(MatrixB b, int pc, int kc, int jc, int cols, float[] dst, Scratch s) {
        for (int t = 0; t * nr < cols; t++) {
            int base = t * nr * kc;
            int valid = Math.min(nr, cols - t * nr);
            int j = jc + t * nr;
            if (!b.trans()) {
                float[] src = b.array();
                for (int p = 0; p < kc; p++) {
                    int d = base + p * nr;
                    System.arraycopy(src, b.offset() + (pc + p) * b.ld() + j, dst, d, valid);
                    for (int jj = valid; jj < nr; jj++) {
                        dst[d + jj] = 0f;
                    }
                }
                continue;
            }
            for (int jj = 0; jj < valid; jj++) {
                float[] src;
                int srcOff;
                if (b.isHeap()) {
                    src = b.array();
                    srcOff = b.offset() + (j + jj) * b.ld() + pc;
                } else {
                    src = s.row(kc);
                    srcOff = 0;
                    long byteOff = ((long) (j + jj) * b.ld() + pc) * b.dtype().byteSize();
                    convertRow(b.segment(), b.dtype(), byteOff, src, kc, s);
                }
                for (int p = 0, d = base + jj; p < kc; p++, d += nr) {
                    dst[d] = src[srcOff + p];
                }
            }
            for (int jj = valid; jj < nr; jj++) {
                for (int p = 0, d = base + jj; p < kc; p++, d += nr) {
                    dst[d] = 0f;
                }
            }
        }
    }

    /** C block *= beta; beta 0 overwrites (NaN in C does not survive), as BLAS does. */
    static void scaleC(float beta, float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1) {
        if (beta == 1f) {
            return;
        }
        for (int i = i0; i < i1; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row + j0, row + j1, 0f);
            } else {
                for (int j = row + j0; j < row + j1; j++) {
                    c[j] *= beta;
                }
            }
        }
    }

    /** {@code alpha * acc + beta * old}, ignoring {@code old} when beta is 0. */
    static float combine(float alpha, float acc, float beta, float old) {
        return beta == 0f ? alpha * acc : alpha * acc + beta * old;
    }
}
