package dev.tune4j.train;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Learning-rate schedule names, spelled as transformers spells them in {@code lr_scheduler_type}.
 *
 * <p>transformers: {@code transformers.SchedulerType}.
 */
public enum SchedulerType {
    LINEAR("linear"),
    COSINE("cosine"),
    COSINE_WITH_RESTARTS("cosine_with_restarts"),
    POLYNOMIAL("polynomial"),
    CONSTANT("constant"),
    CONSTANT_WITH_WARMUP("constant_with_warmup"),
    INVERSE_SQRT("inverse_sqrt"),
    REDUCE_ON_PLATEAU("reduce_lr_on_plateau"),
    COSINE_WITH_MIN_LR("cosine_with_min_lr"),
    WARMUP_STABLE_DECAY("warmup_stable_decay");

    private final String value;

    SchedulerType(String value) {
        this.value = value;
    }

    /** The transformers name, e.g. {@code "cosine_with_restarts"}. */
    public String value() {
        return value;
    }

    /**
     * Looks a schedule up by its transformers name.
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static SchedulerType fromValue(String name) {
        for (SchedulerType t : values()) {
            if (t.value.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown lr_scheduler_type '" + name + "'; expected one of "
                + Arrays.stream(values()).map(SchedulerType::value).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return value;
    }
}
