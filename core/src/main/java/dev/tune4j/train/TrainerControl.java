package dev.tune4j.train;

/** Flags callbacks set to steer the loop (transformers' TrainerControl). */
public final class TrainerControl {
    public boolean shouldTrainingStop;
    public boolean shouldEpochStop;
    public boolean shouldSave;
    public boolean shouldEvaluate;
    public boolean shouldLog;

    void newStep() {
        shouldSave = false;
        shouldEvaluate = false;
        shouldLog = false;
    }
}
