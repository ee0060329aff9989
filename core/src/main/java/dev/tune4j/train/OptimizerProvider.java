package dev.tune4j.train;

import java.util.List;
import java.util.Optional;

/**
 * Supplies optimizers the core does not implement, by their transformers {@code optim} name
 * (the quant module registers {@code adamw_8bit}). Implementations register through
 * {@link java.util.ServiceLoader} (META-INF/services); the {@link Trainer} asks them for any
 * {@code optim} it does not know itself.
 */
public interface OptimizerProvider {
    /**
     * The optimizer named {@code optim} over {@code groups} with the run's Adam settings, or empty
     * when this provider does not know the name.
     */
    Optional<Optimizer> create(String optim, List<ParamGroup> groups, TrainingArguments args);
}
