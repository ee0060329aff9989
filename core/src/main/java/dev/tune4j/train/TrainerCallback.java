package dev.tune4j.train;

import java.util.Map;

/**
 * Hooks into the training loop (transformers' TrainerCallback). Every method has an empty default.
 */
public interface TrainerCallback {
    default void onTrainBegin(TrainingArguments args, TrainerState state, TrainerControl control) {}

    default void onStepEnd(TrainingArguments args, TrainerState state, TrainerControl control) {}

    default void onEpochEnd(TrainingArguments args, TrainerState state, TrainerControl control) {}

    default void onLog(TrainingArguments args, TrainerState state, TrainerControl control, Map<String, Object> logs) {}

    default void onEvaluate(TrainingArguments args, TrainerState state, TrainerControl control, Map<String, Double> metrics) {}

    default void onSave(TrainingArguments args, TrainerState state, TrainerControl control) {}

    default void onTrainEnd(TrainingArguments args, TrainerState state, TrainerControl control) {}
}
