package dev.tune4j.quant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPU kernels over packed 4-bit weights: dequantization and the fused products.
 *
 * <p>Two implementations: {@link ScalarKernels4bit} (plain Java) and {@code VectorKernels4bit}
 * (Vector API). The vector one is chosen at class initialisation when the
 * {@code jdk.incubator.vector} module is present; it is loaded reflectively so that this class and
 * the scalar path never link against the incubator module. {@code -Dtune4j.quant.kernels=scalar}
 * forces the scalar path.
 *
 * <p>Dequantization is bit-exact in both ({@code quant_map[code] * scale}, one float32 multiply);
 * the products differ from a dequantize-then-multiply only in float32 summation order.
 */
abstract class Kernels4bit {
    private static final Logger LOG = LoggerFactory.getLogger(Kernels4bit.class);
    private static final Kernels4bit SELECTED = select();

    /** The kernels selected for this JVM. */
    static Kernels4bit get() {
        return SELECTED;
    }

    private static Kernels4bit select() {
        String forced = System.getProperty("tune4j.quant.kernels", "");
        if (!"scalar".equals(forced) && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                Kernels4bit k = (Kernels4bit) Class.forName("dev.tune4j.quant.VectorKernels4bit")
                        .getDeclaredConstructor().newInstance();
                LOG.debug("4-bit kernels: {}", k);
                return k;
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                LOG.debug("4-bit kernels: Vector API unavailable ({}), using scalar loops", e.toString());
            }
        }
        return new ScalarKernels4bit();
    }

    /**
     * Codes of {@code x[start, start + len)} into {@code codes[0, len)}: each value multiplied by
     * {@code factor} (or divided by it with {@code divide}), clamped to [-1, 1] and looked up in
     * {@code book}, one float32 operation at a time as bitsandbytes does.
     */
    void encode(float[] x, int start, int len, float factor, boolean divide, Codebook book, byte[] codes) {
        if (divide) {
            for (int j = 0; j < len; j++) {
                codes[j] = (byte) book.index(Blockwise.clamp(x[start + j] / factor));
            }
        } else {
            for (int j = 0; j < len; j++) {
                codes[j] = (byte) book.index(Blockwise.clamp(x[start + j] * factor));
            }
        }
    }

    /** Dequantizes flat elements [start, start + len) into out[outOff ...]. */
    abstract void dequantize(QuantState s, long start, int len, float[] out, int outOff);

    /** y[o] = dot(W[o, :], x) for rows o in [rowStart, rowEnd); W has {@code cols} columns. */
    abstract void gemv(QuantState s, int cols, float[] x, float[] y, int rowStart, int rowEnd);

    /**
     * y[r, o] = dot(x[r, :], W[o, :]) for all m rows of x and W rows o in [rowStart, rowEnd); y
     * is [m, rows of W].
     */
    void matmul(QuantState s, int cols, float[] x, int m, float[] y, int rowStart, int rowEnd) {
        int rows = s.shape()[0];
        int tile = Math.max(1, Math.min(TILE_ROWS, rowEnd - rowStart));
        float[] buf = new float[tile * cols];
        for (int o0 = rowStart; o0 < rowEnd; o0 += tile) {
            int t = Math.min(tile, rowEnd - o0);
            dequantize(s, (long) o0 * cols, t * cols, buf, 0);
            dotTile(buf, t, cols, x, m, y, rows, o0);
        }
    }

    /** Rows of W dequantized per tile in {@link #matmul}. */
    static final int TILE_ROWS = 4;

    /** y[r, o0 + j] = dot(x[r, :], w[j, :]) for j < t, r < m. */
    abstract void dotTile(float[] w, int t, int cols, float[] x, int m, float[] y, int ldy, int o0);
}
