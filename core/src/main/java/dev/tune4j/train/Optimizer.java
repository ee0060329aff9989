package dev.tune4j.train;

import dev.tune4j.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** An optimizer over parameter groups, as torch.optim's. */
public interface Optimizer {
    /** Updates every parameter that has a gradient. */
    void step();

    /** Drops every gradient (zero_grad(set_to_none=True)). */
    default void zeroGrad() {
        for (ParamGroup g : paramGroups()) {
            g.params().values().forEach(dev.tune4j.nn.Parameter::zeroGrad);
        }
    }

    List<ParamGroup> paramGroups();

    /** Per-parameter state tensors keyed {@code <state>/<param name>} (e.g. exp_avg/...). */
    Map<String, Tensor> stateTensors();

    /** Per-parameter step counts. */
    Map<String, Long> stepCounts();

    /** Restores {@link #stateTensors()} and {@link #stepCounts()} saved earlier. */
    void loadState(Map<String, Tensor> tensors, Map<String, Long> steps);
}
