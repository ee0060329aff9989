package dev.tune4j.train;

import dev.tune4j.nn.Parameter;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model whose trained weights are checkpointed under names of their own, such as a PEFT model
 * whose checkpoint holds only the adapter. The Trainer names optimizer state and restores
 * checkpoints through it; plain models use their state-dict names and model.safetensors.
 */
public interface TrainableWeights {
    /** Trained parameters keyed by the names the checkpoint file uses, in a stable order. */
    Map<String, Parameter> trainableParameters();

    /** Loads the trained weights from a folder written by the model's savePretrained. */
    void loadTrainableWeights(Path checkpointDir);
}
