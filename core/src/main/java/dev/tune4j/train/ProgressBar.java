package dev.tune4j.train;

import java.io.PrintStream;
import java.util.Map;

/**
 * A one-line console progress bar (step, loss, learning rate, tokens per second), redrawn in
 * place on standard error. The Trainer adds one when a console is attached; add it yourself
 * ({@code trainer.addCallback(new ProgressBar())}) to see it under an IDE or a build tool.
 */
public final class ProgressBar implements TrainerCallback {
    private final PrintStream out = System.err;
    private long start;
    private Object lastLoss = "-";
    private Object lastLr = "-";

    @Override
    public void onTrainBegin(TrainingArguments args, TrainerState state, TrainerControl control) {
        start = System.nanoTime();
    }

    @Override
    public void onLog(TrainingArguments args, TrainerState state, TrainerControl control, Map<String, Object> logs) {
        if (logs.containsKey("loss")) {
            lastLoss = logs.get("loss");
            lastLr = logs.get("learning_rate");
        }
    }

    @Override
    public void onStepEnd(TrainingArguments args, TrainerState state, TrainerControl control) {
        int width = 30;
        int done = state.maxSteps == 0 ? width : (int) ((long) width * state.globalStep / state.maxSteps);
        double secs = (System.nanoTime() - start) / 1e9;
        out.printf("\r[%s%s] %d/%d  loss %s  lr %s  %.1f tokens/s", "=".repeat(done), " ".repeat(width - done),
                state.globalStep, state.maxSteps, lastLoss, lastLr, state.tokensSeen / Math.max(secs, 1e-9));
    }

    @Override
    public void onTrainEnd(TrainingArguments args, TrainerState state, TrainerControl control) {
        out.println();
    }
}
