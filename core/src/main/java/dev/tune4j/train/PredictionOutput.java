package dev.tune4j.train;

import dev.tune4j.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * What {@link Trainer#predict} returns: logits per batch ([batch, seq, vocab] each) and the
 * metrics (test_loss and test_perplexity when labels were given).
 */
public record PredictionOutput(List<Tensor> logits, Map<String, Double> metrics) {}
