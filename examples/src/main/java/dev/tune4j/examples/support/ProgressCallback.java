package dev.tune4j.examples.support;

import dev.tune4j.train.TrainerCallback;
import dev.tune4j.train.TrainerControl;
import dev.tune4j.train.TrainerState;
import dev.tune4j.train.TrainingArguments;
import java.io.PrintStream;
import java.util.Map;

/**
 * A progress bar for the examples (step, loss, steps per second), redrawn in place on the
 * terminal. The Trainer draws its own only when the JVM has a console; programs run by Maven or
 * an IDE have none, so the examples add this one.
 */
public final class ProgressCallback implements TrainerCallback {
    private final PrintStream out;
    private final String label;
    private long start;
    private Object lastLoss = "-";

    /** A bar on standard output, prefixed by {@code label}. */
    public ProgressCallback(String label) {
        this(label, System.out);
    }

    /** A bar on {@code out}, prefixed by {@code label}. */
    public ProgressCallback(String label, PrintStream out) {
        this.label = label;
        this.out = out;
    }

    @Override
    public void onTrainBegin(TrainingArguments args, TrainerState state, TrainerControl control) {
        start = System.nanoTime();
    }

    @Override
    public void onLog(TrainingArguments args, TrainerState state, TrainerControl control, Map<String, Object> logs) {
        if (logs.containsKey("loss")) {
            lastLoss = logs.get("loss");
        }
    }

    @Override
    public void onStepEnd(TrainingArguments args, TrainerState state, TrainerControl control) {
        int width = 30;
        int done = state.maxSteps == 0 ? width : (int) ((long) width * state.globalStep / state.maxSteps);
        double secs = (System.nanoTime() - start) / 1e9;
        out.printf("\r%s [%s%s] %d/%d  loss %s  %.1f it/s ", label, "#".repeat(done), ".".repeat(width - done),
                state.globalStep, state.maxSteps, lastLoss, state.globalStep / Math.max(secs, 1e-9));
        out.flush();
    }

    @Override
    public void onTrainEnd(TrainingArguments args, TrainerState state, TrainerControl control) {
        out.println();
    }
}
