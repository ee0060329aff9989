package dev.tune4j.lora;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * The per-layer maths of peft 0.13's {@code add_weighted_adapter}, with w_i the user weights and
 * s_i the adapters' scalings (the new adapter has {@code alpha = r}, scaling 1):
 *
 * <ul>
 *   <li>linear / ties / dare_* / magnitude_prune: A and B are combined separately, A with
 *       {@code sign(w_i s_i) sqrt(|w_i s_i|)} and B with {@code sqrt(|w_i s_i|)}, so {@code B A} has cross
 *       terms. (peft 0.13 takes {@code sqrt(w_i s_i)} and fails on negative weights; newer peft, and
 *       tune4j, carry the sign on A.)</li>
 *   <li>cat: {@code A = rows(w_i s_i A_i)}, {@code B = cols(B_i)}: exactly {@code sum w_i s_i B_i A_i}.</li>
 *   <li>svd types: {@code delta = sum (w_i s_i) * get_delta_weight_i = sum w_i s_i^2 B_i A_i} (peft applies
 *       the scaling twice), then the top singular triplets: {@code B = U_k S_k}, {@code A = Vh_k}.</li>
 * </ul>
 *
 * For plain svd the SVD of the [out, in] delta is taken through its factors: a QR of the stacked
 * B's and of the stacked A's leaves a small R x R SVD (R = total rank), the same singular values
 * and vectors at a fraction of the cost. The pruning variants change single entries of the full
 * delta, so they take the full SVD.
 */
final class WeightedCombination {
    private WeightedCombination() {}

    record Factors(float[] a, float[] b) {}

    static Factors combine(LoraLinear l, String type, List<String> adapters, List<Double> weights, int newRank,
                           WeightedAdapterOptions o, RandomGenerator rng) {
        int in = l.inFeatures();
        int out = l.outFeatures();
        List<String> valid = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        for (int i = 0; i < adapters.size(); i++) {
            if (l.hasAdapter(adapters.get(i))) {
                valid.add(adapters.get(i));
                w.add(weights.get(i));
            }
        }
        if (valid.isEmpty()) {
            throw new IllegalArgumentException("No matching LoRAs found in a layer targeted by the combined adapter");
        }
        return switch (type) {
            case "cat" -> cat(l, valid, w, newRank, in, out);
            case "linear", "ties", "dare_linear", "dare_ties", "magnitude_prune" -> separate(l, type, valid, w, o, rng);
            default -> svd(l, type, valid, w, newRank, o, rng, in, out);
        };
    }

    private static Factors cat(LoraLinear l, List<String> valid, List<Double> w, int newRank, int in, int out) {
        float[] a = new float[newRank * in];
        float[] b = new float[out * newRank];
        int row = 0;
        for (int i = 0; i < valid.size(); i++) {
            String ad = valid.get(i);
            int r = l.r(ad);
            float[] ai = l.loraA(ad).value().toF32().data();
            float[] bi = l.loraB(ad).value().toF32().data();
            float f = (float) (w.get(i) * l.scaling(ad));
            for (int k = 0; k < r * in; k++) {
                a[row * in + k] = ai[k] * f;
            }
            for (int o = 0; o < out; o++) {
                System.arraycopy(bi, o * r, b, o * newRank + row, r);
            }
            row += r;
        }
        return new Factors(a, b);
    }

    private static Factors separate(LoraLinear l, String type, List<String> valid, List<Double> w,
                                    WeightedAdapterOptions o, RandomGenerator rng) {
        double[] wa = new double[valid.size()];
        double[] wb = new double[valid.size()];
        List<float[]> as = new ArrayList<>();
        List<float[]> bs = new ArrayList<>();
        for (int i = 0; i < valid.size(); i++) {
            double ws = w.get(i) * l.scaling(valid.get(i));
            wb[i] = Math.sqrt(Math.abs(ws));
            wa[i] = ws >= 0 ? wb[i] : -wb[i];
            as.add(l.loraA(valid.get(i)).value().toF32().data());
            bs.add(l.loraB(valid.get(i)).value().toF32().data());
        }
        return new Factors(apply(type, as, wa, o, rng), apply(type, bs, wb, o, rng));
    }

    private static float[] apply(String type, List<float[]> t, double[] w, WeightedAdapterOptions o, RandomGenerator rng) {
        return switch (type) {
            case "linear", "svd" -> MergeUtils.taskArithmetic(t, w);
            case "ties", "ties_svd" -> MergeUtils.ties(t, w, o.density(), o.majoritySignMethod());
            case "dare_linear", "dare_linear_svd" -> MergeUtils.dareLinear(t, w, o.density(), rng);
            case "dare_ties", "dare_ties_svd" -> MergeUtils.dareTies(t, w, o.density(), o.majoritySignMethod(), rng);
            case "magnitude_prune", "magnitude_prune_svd" -> MergeUtils.magnitudePrune(t, w, o.density());
            default -> throw new IllegalArgumentException("Invalid combination_type: " + type);
        };
    }

    private static Factors svd(LoraLinear l, String type, List<String> valid, List<Double> w, int newRank,
                               WeightedAdapterOptions o, RandomGenerator rng, int in, int out) {
        if (newRank > Math.min(in, out)) {
            throw new IllegalArgumentException("svd_rank " + newRank + " exceeds min(out, in) = " + Math.min(in, out)
                    + " of a " + out + " x " + in + " layer");
        }
        double[] c = new double[valid.size()];
        for (int i = 0; i < valid.size(); i++) {
            c[i] = w.get(i) * l.scaling(valid.get(i));
        }
        RealMatrix u;
        double[] s;
        RealMatrix v;
        int total = valid.stream().mapToInt(l::r).sum();
        if (type.equals("svd") && total < Math.min(in, out)) {
            // delta = P Q^T with P = [c_i s_i B_i] (out x R) and Q = [A_i^T] (in x R), stored by column.
            double[][] p = new double[total][out];
            double[][] q = new double[total][in];
            int col = 0;
            for (int i = 0; i < valid.size(); i++) {
                String ad = valid.get(i);
                int r = l.r(ad);
                float[] ai = l.loraA(ad).value().toF32().data();
                float[] bi = l.loraB(ad).value().toF32().data();
                double f = c[i] * l.scaling(ad);
                for (int k = 0; k < r; k++) {
                    for (int row = 0; row < out; row++) {
                        p[col + k][row] = f * bi[row * r + k];
                    }
                    for (int j = 0; j < in; j++) {
                        q[col + k][j] = ai[k * in + j];
                    }
                }
                col += r;
            }
            // P = Qp Rp, Q = Qq Rq, so delta = Qp (Rp Rq^T) Qq^T and the SVD of the R x R middle factor
            // gives delta's: U = Qp U', V = Qq V', same singular values.
            Mat.Qr qp = Mat.thinQr(p);
            Mat.Qr qq = Mat.thinQr(q);
            RealMatrix rp = new Array2DRowRealMatrix(qp.r(), false);
            RealMatrix rq = new Array2DRowRealMatrix(qq.r(), false);
            SingularValueDecomposition small = new SingularValueDecomposition(rp.multiply(rq.transpose()));
            u = new Array2DRowRealMatrix(qp.q(), false).transpose().multiply(small.getU());
            s = small.getSingularValues();
            v = new Array2DRowRealMatrix(qq.q(), false).transpose().multiply(small.getV());
        } else {
            List<float[]> deltas = new ArrayList<>();
            for (String ad : valid) {
                deltas.add(l.deltaOutIn(ad));
            }
            float[] delta = apply(type, deltas, c, o, rng);
            SingularValueDecomposition full = new SingularValueDecomposition(LoraInit.toMatrix(delta, out, in));
            u = full.getU();
            s = full.getSingularValues();
            v = full.getV();
        }
        double[] bu = new double[out * newRank];
        double[] av = new double[newRank * in];
        for (int k = 0; k < newRank; k++) {
            double sk = k < s.length ? s[k] : 0;
            for (int row = 0; row < out; row++) {
                bu[row * newRank + k] = u.getEntry(row, k) * sk;
            }
            for (int j = 0; j < in; j++) {
                av[k * in + j] = v.getEntry(j, k);
            }
        }
        if (o.svdClamp() != null) {
            double[] dist = new double[bu.length + av.length];
            System.arraycopy(bu, 0, dist, 0, bu.length);
            System.arraycopy(av, 0, dist, bu.length, av.length);
            double hi = quantile(dist, o.svdClamp());
            for (int i = 0; i < bu.length; i++) {
                bu[i] = Math.max(-hi, Math.min(hi, bu[i]));
            }
            for (int i = 0; i < av.length; i++) {
                av[i] = Math.max(-hi, Math.min(hi, av[i]));
            }
        }
        return new Factors(toFloat(av), toFloat(bu));
    }

    /** torch.quantile's default (linear interpolation between order statistics). */
    static double quantile(double[] x, double q) {
        if (q < 0 || q > 1) {
            throw new IllegalArgumentException("svd_clamp must be a quantile in [0, 1], got " + q);
        }
        double[] s = x.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
