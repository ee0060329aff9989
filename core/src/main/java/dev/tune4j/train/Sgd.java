package dev.tune4j.train;

import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.SGD: coupled weight decay ({@code g + wd * p}), momentum with dampening, optionally
 * Nesterov. The first step's momentum buffer is the gradient itself, as in torch.
 */
public final class Sgd implements Optimizer {
    private final List<ParamGroup> groups;
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;
    private final Map<String, float[]> buffers = new HashMap<>();
    private final Map<String, Long> steps = new HashMap<>();

    public Sgd(List<ParamGroup> groups, double momentum, double dampening, boolean nesterov) {
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
        this.groups = List.copyOf(groups);
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    @Override
    public void step() {
        for (ParamGroup g : groups) {
            float lr = (float) g.lr();
            float wd = (float) g.weightDecay();
            for (var e : g.params().entrySet()) {
                Parameter p = e.getValue();
                if (p.grad() == null) {
                    continue;
                }
                float[] w = p.value().data();
                float[] grad = p.grad().data();
                steps.merge(e.getKey(), 1L, Long::sum);
                float[] d = new float[w.length];
                for (int i = 0; i < w.length; i++) {
                    d[i] = wd != 0 ? grad[i] + wd * w[i] : grad[i];
                }
                if (momentum != 0) {
                    float[] buf = buffers.get(e.getKey());
                    if (buf == null) {
                        buf = d.clone();
                        buffers.put(e.getKey(), buf);
                    } else {
                        for (int i = 0; i < w.length; i++) {
                            buf[i] = buf[i] * (float) momentum + d[i] * (float) (1 - dampening);
                        }
                    }
                    for (int i = 0; i < w.length; i++) {
                        d[i] = nesterov ? d[i] + (float) momentum * buf[i] : buf[i];
                    }
                }
                for (int i = 0; i < w.length; i++) {
                    w[i] -= lr * d[i];
                }
            }
        }
    }

    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParamGroup g : groups) {
            for (var e : g.params().entrySet()) {
                float[] b = buffers.get(e.getKey());
                if (b != null) {
                    out.put("momentum_buffer/" + e.getKey(), Tensor.of(b.clone(), e.getValue().value().shape()));
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
        tensors.forEach((k, v) -> {
            if (k.startsWith("momentum_buffer/")) {
                buffers.put(k.substring("momentum_buffer/".length()), v.toFloatArray());
            }
        });
        steps.putAll(stepCounts);
    }
}
