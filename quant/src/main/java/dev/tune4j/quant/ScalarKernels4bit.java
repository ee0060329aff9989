package dev.tune4j.quant;

/** Plain-Java 4-bit kernels: the fallback without the Vector API, and the reference for it. */
final class ScalarKernels4bit extends Kernels4bit {

    @Override
    void dequantize(QuantState s, long start, int len, float[] out, int outOff) {
        byte[] packed = s.packed();
        float[] table = s.quantMap();
        int bs = s.blocksize();
        int shift = Integer.numberOfTrailingZeros(bs);
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
            // Pairs: the even element is the high nibble.
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
        int bs = s.blocksize();
        int shift = Integer.numberOfTrailingZeros(bs);
        for (int r = rowStart; r < rowEnd; r++) {
            long rowBase = (long) r * cols;
            long rowEndFlat = rowBase + cols;
            float acc0 = 0f;
            float acc1 = 0f;
            long i = rowBase;
            while (i < rowEndFlat) {
                int b = (int) (i >>> shift);
                long blockEnd = Math.min((long) (b + 1) * bs, rowEndFlat);
                float a = s.blockScale(b);
                int xi = (int) (i - rowBase);
                if ((i & 1) == 1) {
                    acc1 += table[packed[(int) (i >> 1)] & 0x0F] * a * x[xi++];
                    i++;
                }
                for (; i + 1 < blockEnd; i += 2) {
                    int v = packed[(int) (i >> 1)];
                    acc0 += table[(v >> 4) & 0x0F] * a * x[xi++];
                    acc1 += table[v & 0x0F] * a * x[xi++];
                }
                if (i < blockEnd) {
                    acc0 += table[(packed[(int) (i >> 1)] >> 4) & 0x0F] * a * x[xi];
                    i++;
                }
            }
            y[r] = acc0 + acc1;
        }
    }

    @Override
    void dotTile(float[] w, int t, int cols, float[] x, int m, float[] y, int ldy, int o0) {
        for (int r = 0; r < m; r++) {
            int xo = r * cols;
            for (int j = 0; j < t; j++) {
                int wo = j * cols;
                float acc0 = 0f;
                float acc1 = 0f;
                int k = 0;
                for (; k + 1 < cols; k += 2) {
                    acc0 += w[wo + k] * x[xo + k];
                    acc1 += w[wo + k + 1] * x[xo + k + 1];
                }
                if (k < cols) {
                    acc0 += w[wo + k] * x[xo + k];
                }
                y[r * ldy + o0 + j] = acc0 + acc1;
            }
        }
    }

    @Override
    public String toString() {
        return "scalar";
    }
}
