package dev.tune4j.train;

/**
 * The multiplier of the base learning rate after {@code step} scheduler steps, as torch's
 * {@code LambdaLR} applies it: {@code lr = baseLr * lambda(step)}.
 */
@FunctionalInterface
public interface LrLambda {
    /** The factor for scheduler step {@code step} (0 right after construction). */
    double factor(int step);
}
