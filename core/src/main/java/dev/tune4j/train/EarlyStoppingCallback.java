package dev.tune4j.train;

import java.util.Map;

/**
 * Stops training when the monitored metric has not improved for {@code patience} evaluations
 * (transformers' EarlyStoppingCallback; needs evaluation and metricForBestModel).
 */
public final class EarlyStoppingCallback implements TrainerCallback {
    private final int patience;
    private final double threshold;
    private int counter;
    private Double best;

    public EarlyStoppingCallback(int patience, double threshold) {
        if (patience < 1) {
            throw new IllegalArgumentException("early_stopping_patience must be at least 1, got " + patience);
        }
        this.patience = patience;
        this.threshold = threshold;
    }

    public EarlyStoppingCallback(int patience) {
        this(patience, 0.0);
    }

    @Override
    public void onEvaluate(TrainingArguments args, TrainerState state, TrainerControl control, Map<String, Double> metrics) {
        String key = args.metricForBestModel() == null ? "eval_loss" : args.metricForBestModel();
        if (!key.startsWith("eval_")) {
            key = "eval_" + key;
        }
        Double value = metrics.get(key);
        if (value == null) {
            throw new IllegalStateException("early stopping needs the metric '" + key + "', not in " + metrics.keySet());
        }
        boolean greater = args.greaterIsBetter() != null ? args.greaterIsBetter() : !key.endsWith("loss");
        boolean improved = best == null || (greater ? value > best + threshold : value < best - threshold);
        if (improved) {
            best = value;
            counter = 0;
        } else if (++counter >= patience) {
            control.shouldTrainingStop = true;
        }
    }

    /** Evaluations without improvement so far. */
    public int patienceCounter() {
        return counter;
    }
}
