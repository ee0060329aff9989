package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The thin QR used by the svd combination and OLoRA: a = q r, orthonormal q, zero columns allowed. */
class MatTest {
    @Test
    void thinQrReconstructsWithOrthonormalColumns() {
        SplittableRandom rng = new SplittableRandom(4);
        int m = 40;
        int n = 6;
        double[][] a = new double[n][m];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                a[j][i] = rng.nextGaussian();
            }
        }
        a[3] = new double[m];                       // a zero column (an adapter whose B is still 0)
        for (int i = 0; i < m; i++) {
            a[5][i] = 2 * a[1][i] - a[0][i];        // a dependent column
        }
        Mat.Qr qr = Mat.thinQr(a);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += qr.q()[k][i] * qr.r()[k][j];
                }
                assertEquals(a[j][i], s, 1e-12, "a = q r at (" + i + ", " + j + ")");
            }
            for (int k = 0; k < n; k++) {
                double d = 0;
                for (int i = 0; i < m; i++) {
                    d += qr.q()[j][i] * qr.q()[k][i];
                }
                boolean zero = j == 3 || j == 5;
                assertEquals(j == k && !zero ? 1.0 : 0.0, d, 1e-12, "q^T q at (" + j + ", " + k + ")");
            }
        }
    }
}
