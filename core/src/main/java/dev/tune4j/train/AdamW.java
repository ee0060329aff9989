package dev.tune4j.train;

import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.AdamW (single-tensor implementation): decoupled weight decay applied first, then
 * the Adam moments, with bias corrections from the per-parameter step count. Arithmetic on
 * values is float32 in torch's order; scalar coefficients are computed in double, as Python does.
 */
public final class AdamW implements Optimizer {
    private final List<ParamGroup> groups;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final Map<String, float[]> expAvg = new HashMap<>();
    private final Map<String, float[]> expAvgSq = new HashMap<>();
    private final Map<String, Long> steps = new HashMap<>();

    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        this.groups = List.copyOf(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    @Override
    public void step() {
        for (ParamGroup g : groups) {
            double lr = g.lr();
            float decay = (float) (1 - lr * g.weightDecay());
            for (var e : g.params().entrySet()) {
                Parameter p = e.getValue();
                if (p.grad() == null) {
                    continue;
                }
                String name = e.getKey();
                float[] w = p.value().data();
                float[] grad = p.grad().data();
                float[] m = expAvg.computeIfAbsent(name, k -> new float[w.length]);
                float[] v = expAvgSq.computeIfAbsent(name, k -> new float[w.length]);
                long t = steps.merge(name, 1L, Long::sum);
                double bc1 = 1 - Math.pow(beta1, t);
                double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
                float stepSize = (float) (lr / bc1);
                float b1 = (float) beta1;
                float b2 = (float) beta2;
                float oneMinusB1 = (float) (1 - beta1);
                float oneMinusB2 = (float) (1 - beta2);
                float bc2 = (float) bc2Sqrt;
                float epsF = (float) eps;
                for (int i = 0; i < w.length; i++) {
                    float gi = grad[i];
                    w[i] = w[i] * decay;
                    m[i] = m[i] * b1 + gi * oneMinusB1;
                    v[i] = v[i] * b2 + gi * gi * oneMinusB2;
                    float denom = (float) Math.sqrt(v[i]) / bc2 + epsF;
                    w[i] = w[i] - stepSize * (m[i] / denom);
                }
            }
        }
    }

    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParamGroup g : groups) {
            for (var e : g.params().entrySet()) {
                float[] m = expAvg.get(e.getKey());
                if (m != null) {
                    int[] shape = e.getValue().value().shape();
                    out.put("exp_avg/" + e.getKey(), Tensor.of(m.clone(), shape));
                    out.put("exp_avg_sq/" + e.getKey(), Tensor.of(expAvgSq.get(e.getKey()).clone(), shape));
                }
            }
        }
        return out;
    }

    @Override
    public Map<String, Long> stepCounts() {
        return Map.copyOf(steps);
    }

    @Override
    public void loadState(Map<String, Tensor> tensors, Map<String, Long> stepCounts) {
        for (ParamGroup g : groups) {
            for (var e : g.params().entrySet()) {
                String name = e.getKey();
                Tensor m = tensors.get("exp_avg/" + name);
                Tensor v = tensors.get("exp_avg_sq/" + name);
                if (m == null || v == null || !stepCounts.containsKey(name)) {
                    throw new IllegalArgumentException("optimizer state has no moments for parameter '" + name
                            + "': the checkpoint was written for another model or adapter");
                }
                if (m.numel() != e.getValue().numel()) {
                    throw new IllegalArgumentException("optimizer state for '" + name + "' has " + m.numel()
                            + " elements, the parameter has " + e.getValue().numel());
                }
                expAvg.put(name, m.toFloatArray());
                expAvgSq.put(name, v.toFloatArray());
                steps.put(name, stepCounts.get(name));
            }
        }
    }
}
