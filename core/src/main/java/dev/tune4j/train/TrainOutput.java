package dev.tune4j.train;

import java.util.Map;

/**
 * What {@link Trainer#train()} returns (transformers' TrainOutput).
 *
 * @param globalStep optimizer steps taken in total
 * @param trainingLoss mean of the logged step losses over the run
 * @param metrics the final summary entry of the log history
 */
public record TrainOutput(int globalStep, double trainingLoss, Map<String, Object> metrics) {}
