package dev.tune4j.train;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The learning-rate schedules of transformers' {@code optimization.py}, with the formulas of
 * transformers 4.45.
 *
 * <p>Every multiplier is computed in double precision with the operations in the same order as
 * the Python code, so {@code baseLr * factor} equals what torch's {@code LambdaLR} produces.
 * Warmup (all schedules but {@code constant}) is {@code step / max(1, W)} while {@code step < W}.
 *
 * <pre>{@code
 * // transformers: get_scheduler("cosine", opt, num_warmup_steps=3, num_training_steps=20)
 * LrScheduler s = LrSchedules.getScheduler("cosine", 1e-3, 3, 20, Map.of());
 * }</pre>
 */
public final class LrSchedules {
    private LrSchedules() {}

    /**
     * transformers {@code get_scheduler(name, optimizer, num_warmup_steps, num_training_steps,
     * scheduler_specific_kwargs)} for one parameter group.
     *
     * @param kwargs {@code lr_scheduler_kwargs}: {@code num_cycles} (cosine, cosine_with_restarts,
     *     cosine_with_min_lr, warmup_stable_decay), {@code power} and {@code lr_end} (polynomial),
     *     {@code timescale} (inverse_sqrt), {@code min_lr} or {@code min_lr_rate}
     *     (cosine_with_min_lr), {@code num_stable_steps}, {@code num_decay_steps},
     *     {@code min_lr_ratio}, {@code decay_type}, {@code warmup_type} (warmup_stable_decay).
     *     Unknown keys are rejected rather than ignored.
     */
    public static LrScheduler getScheduler(String name, double baseLr, int numWarmupSteps, int numTrainingSteps,
                                           Map<String, ?> kwargs) {
        return getScheduler(SchedulerType.fromValue(name), new double[] {baseLr}, baseLr, numWarmupSteps,
                numTrainingSteps, kwargs);
    }

    /**
     * As {@link #getScheduler(String, double, int, int, Map)} for several parameter groups.
     *
     * @param groupLrs the learning rate of each parameter group
     * @param defaultLr the optimizer's default learning rate ({@code optimizer.defaults["lr"]},
     *     i.e. {@code TrainingArguments.learningRate}); polynomial and cosine_with_min_lr's
     *     {@code min_lr} are expressed relative to it
     */
    public static LrScheduler getScheduler(SchedulerType type, double[] groupLrs, double defaultLr,
                                           int numWarmupSteps, int numTrainingSteps, Map<String, ?> kwargs) {
        Kwargs kw = new Kwargs(type, kwargs == null ? Map.of() : kwargs);
        if (numWarmupSteps < 0) {
            throw new IllegalArgumentException("numWarmupSteps must be >= 0, found " + numWarmupSteps);
        }
        LrScheduler s = switch (type) {
            case CONSTANT -> new LrScheduler(groupLrs, step -> 1.0, true);
            case CONSTANT_WITH_WARMUP -> new LrScheduler(groupLrs, constantWithWarmup(numWarmupSteps));
            case LINEAR -> new LrScheduler(groupLrs, linear(numWarmupSteps, needTotal(type, numTrainingSteps)));
            case COSINE -> new LrScheduler(groupLrs, cosine(numWarmupSteps, needTotal(type, numTrainingSteps),
                    kw.dbl("num_cycles", 0.5), 0.0));
            case COSINE_WITH_RESTARTS -> new LrScheduler(groupLrs, cosineWithHardRestarts(numWarmupSteps,
                    needTotal(type, numTrainingSteps), kw.dbl("num_cycles", 1)));
            case POLYNOMIAL -> new LrScheduler(groupLrs, polynomial(numWarmupSteps,
                    needTotal(type, numTrainingSteps), kw.dbl("lr_end", 1e-7), kw.dbl("power", 1.0), defaultLr));
            case INVERSE_SQRT -> new LrScheduler(groupLrs, inverseSqrt(numWarmupSteps,
                    kw.has("timescale") ? kw.integer("timescale") : null));
            case COSINE_WITH_MIN_LR -> new LrScheduler(groupLrs, cosine(numWarmupSteps,
                    needTotal(type, numTrainingSteps), kw.dbl("num_cycles", 0.5), minLrRate(kw, defaultLr)));
            case WARMUP_STABLE_DECAY -> new LrScheduler(groupLrs, wsd(numWarmupSteps, numTrainingSteps, kw));
            case REDUCE_ON_PLATEAU -> throw new IllegalArgumentException(
                    "reduce_lr_on_plateau is driven by eval metrics, not by step: use ReduceLrOnPlateau.fromKwargs");
        };
        kw.rejectUnused();
        return s;
    }

    private static int needTotal(SchedulerType type, int numTrainingSteps) {
        if (numTrainingSteps <= 0) {
            throw new IllegalArgumentException(type + " requires numTrainingSteps > 0, found " + numTrainingSteps);
        }
        return numTrainingSteps;
    }

    private static double warmup(int step, int numWarmupSteps) {
        return (double) step / (double) Math.max(1, numWarmupSteps);
    }

    /** {@code get_constant_schedule_with_warmup}: warmup, then 1. */
    public static LrLambda constantWithWarmup(int numWarmupSteps) {
        return step -> step < numWarmupSteps ? warmup(step, numWarmupSteps) : 1.0;
    }

    /** {@code get_linear_schedule_with_warmup}: warmup, then linear decay to 0 at step N. */
    public static LrLambda linear(int numWarmupSteps, int numTrainingSteps) {
        return step -> {
            if (step < numWarmupSteps) {
                return warmup(step, numWarmupSteps);
            }
            return Math.max(0.0, (double) (numTrainingSteps - step)
                    / (double) Math.max(1, numTrainingSteps - numWarmupSteps));
        };
    }

    /**
     * {@code get_cosine_schedule_with_warmup} ({@code minLrRate = 0}) and
     * {@code get_cosine_with_min_lr_schedule_with_warmup}. Progress is not clamped, so past step N
     * the factor rises again, as in transformers.
     */
    public static LrLambda cosine(int numWarmupSteps, int numTrainingSteps, double numCycles, double minLrRate) {
        return step -> {
            if (step < numWarmupSteps) {
                return warmup(step, numWarmupSteps);
            }
            double progress = (double) (step - numWarmupSteps) / (double) Math.max(1, numTrainingSteps - numWarmupSteps);
            double factor = 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress));
            factor = factor * (1 - minLrRate) + minLrRate;
            return Math.max(0.0, factor);
        };
    }

    /** {@code get_cosine_with_hard_restarts_schedule_with_warmup}: 0 from step N on. */
    public static LrLambda cosineWithHardRestarts(int numWarmupSteps, int numTrainingSteps, double numCycles) {
        return step -> {
            if (step < numWarmupSteps) {
                return warmup(step, numWarmupSteps);
            }
            double progress = (double) (step - numWarmupSteps) / (double) Math.max(1, numTrainingSteps - numWarmupSteps);
            if (progress >= 1.0) {
                return 0.0;
            }
            return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((numCycles * progress) % 1.0))));
        };
    }

    /**
     * {@code get_polynomial_decay_schedule_with_warmup}: from {@code lrInit} down to {@code lrEnd}
     * at step N, then {@code lrEnd} (both absolute, hence divided by {@code lrInit}).
     *
     * @param lrInit the optimizer's default learning rate
     */
    public static LrLambda polynomial(int numWarmupSteps, int numTrainingSteps, double lrEnd, double power,
                                      double lrInit) {
        if (!(lrInit > lrEnd)) {
            throw new IllegalArgumentException("polynomial schedule: lr_end (" + lrEnd
                    + ") must be smaller than the initial lr (" + lrInit + ")");
        }
        if (numTrainingSteps <= numWarmupSteps) {
            // transformers divides by (N - W) and fails at step N with ZeroDivisionError
            throw new IllegalArgumentException("polynomial schedule needs numTrainingSteps (" + numTrainingSteps
                    + ") > numWarmupSteps (" + numWarmupSteps + ")");
        }
        return step -> {
            if (step < numWarmupSteps) {
                return warmup(step, numWarmupSteps);
            } else if (step > numTrainingSteps) {
                return lrEnd / lrInit;
            }
            double lrRange = lrInit - lrEnd;
            int decaySteps = numTrainingSteps - numWarmupSteps;
            double pctRemaining = 1 - (double) (step - numWarmupSteps) / decaySteps;
            double decay = lrRange * Math.pow(pctRemaining, power) + lrEnd;
            return decay / lrInit;
        };
    }

    /**
     * {@code get_inverse_sqrt_schedule}: {@code 1/sqrt((step + timescale - W) / timescale)} after
     * warmup.
     *
     * @param timescale null for transformers' default: W, or 10 000 when W is 0. (transformers
     *     4.45's {@code get_scheduler} does not forward a {@code timescale} kwarg; tune4j does.)
     */
    public static LrLambda inverseSqrt(int numWarmupSteps, Integer timescale) {
        int ts = timescale != null ? timescale : (numWarmupSteps != 0 ? numWarmupSteps : 10_000);
        if (ts <= 0) {
            throw new IllegalArgumentException("inverse_sqrt timescale must be > 0, found " + ts);
        }
        int shift = ts - numWarmupSteps;
        return step -> {
            if (step < numWarmupSteps) {
                return warmup(step, numWarmupSteps);
            }
            return 1.0 / Math.sqrt((double) (step + shift) / ts);
        };
    }

    /**
     * {@code get_wsd_schedule}: warmup, {@code numStableSteps} at 1, then {@code numDecaySteps}
     * decaying to {@code minLrRatio}, then {@code minLrRatio}.
     *
     * <p>Warmup rises from 0 as in transformers 4.45. A {@code warmupType} (a later transformers
     * option) switches to the later formula, which starts the warmup at {@code minLrRatio}.
     *
     * @param decayType "cosine" (default), "linear" or "1-sqrt"
     * @param warmupType null (4.45 linear warmup from 0), or "linear", "cosine", "1-sqrt"
     */
    public static LrLambda warmupStableDecay(int numWarmupSteps, int numStableSteps, int numDecaySteps,
                                             double minLrRatio, double numCycles, String decayType,
                                             String warmupType) {
        checkShape("decay_type", decayType);
        if (warmupType != null) {
            checkShape("warmup_type", warmupType);
        }
        if (numStableSteps < 0 || numDecaySteps < 0) {
            throw new IllegalArgumentException("warmup_stable_decay needs num_stable_steps >= 0 and num_decay_steps >= 0,"
                    + " found " + numStableSteps + " and " + numDecaySteps);
        }
        return step -> {
            if (step < numWarmupSteps) {
                double progress = warmup(step, numWarmupSteps);
                if (warmupType == null) {
                    return progress;
                }
                double f = switch (warmupType) {
                    case "cosine" -> 0.5 * (1.0 - Math.cos(Math.PI * progress));
                    case "1-sqrt" -> 1.0 - Math.sqrt(1.0 - progress);
                    default -> progress;
                };
                return Math.max(0.0, f * (1.0 - minLrRatio) + minLrRatio);
            }
            if (step < numWarmupSteps + numStableSteps) {
                return 1.0;
            }
            if (step < numWarmupSteps + numStableSteps + numDecaySteps) {
                double progress = (double) (step - numWarmupSteps - numStableSteps) / (double) Math.max(1, numDecaySteps);
                return switch (decayType) {
                    case "linear" -> Math.max(0.0, (1.0 - progress) * (1.0 - minLrRatio) + minLrRatio);
                    case "1-sqrt" -> Math.max(0.0, (1.0 - Math.sqrt(progress)) * (1.0 - minLrRatio) + minLrRatio);
                    default -> {
                        double value = Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress)));
                        yield (1.0 - minLrRatio) * value + minLrRatio;
                    }
                };
            }
            return minLrRatio;
        };
    }

    private static void checkShape(String key, String value) {
        if (!"linear".equals(value) && !"cosine".equals(value) && !"1-sqrt".equals(value)) {
            throw new IllegalArgumentException("warmup_stable_decay " + key + " '" + value
                    + "' is unknown; expected 'linear', 'cosine' or '1-sqrt'");
        }
    }

    private static LrLambda wsd(int numWarmupSteps, int numTrainingSteps, Kwargs kw) {
        if (!kw.has("num_decay_steps")) {
            throw new IllegalArgumentException("warmup_stable_decay needs num_decay_steps in lr_scheduler_kwargs");
        }
        int decay = kw.integer("num_decay_steps");
        int stable;
        if (kw.has("num_stable_steps")) {
            stable = kw.integer("num_stable_steps");
        } else if (numTrainingSteps > 0) {
            // later transformers derive it from num_training_steps; 4.45 required it
            stable = numTrainingSteps - numWarmupSteps - decay;
        } else {
            throw new IllegalArgumentException("warmup_stable_decay needs num_stable_steps in lr_scheduler_kwargs"
                    + " (or numTrainingSteps > 0 to derive it)");
        }
        return warmupStableDecay(numWarmupSteps, stable, decay, kw.dbl("min_lr_ratio", 0.0),
                kw.dbl("num_cycles", 0.5), kw.str("decay_type", "cosine"), kw.str("warmup_type", null));
    }

    private static double minLrRate(Kwargs kw, double defaultLr) {
        boolean hasLr = kw.has("min_lr");
        boolean hasRate = kw.has("min_lr_rate");
        if (hasLr && hasRate) {
            throw new IllegalArgumentException("cosine_with_min_lr: set only one of min_lr or min_lr_rate");
        } else if (hasLr) {
            return kw.dbl("min_lr", 0) / defaultLr;
        } else if (!hasRate) {
            throw new IllegalArgumentException("cosine_with_min_lr needs min_lr or min_lr_rate in lr_scheduler_kwargs");
        }
        return kw.dbl("min_lr_rate", 0);
    }

    /** Typed access to {@code lr_scheduler_kwargs} that remembers which keys were read. */
    private static final class Kwargs {
        private final SchedulerType type;
        private final Map<String, ?> map;
        private final Set<String> used = new HashSet<>();

        Kwargs(SchedulerType type, Map<String, ?> map) {
            this.type = type;
            this.map = new LinkedHashMap<>(map);
        }

        boolean has(String key) {
            used.add(key);
            return map.get(key) != null;
        }

        double dbl(String key, double fallback) {
            used.add(key);
            Object v = map.get(key);
            if (v == null) {
                return fallback;
            }
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException("lr_scheduler_kwargs '" + key + "' for " + type
                        + ": expected a number, found " + v);
            }
            return n.doubleValue();
        }

        int integer(String key) {
            double d = dbl(key, Double.NaN);
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("lr_scheduler_kwargs '" + key + "' for " + type
                        + ": expected an integer, found " + map.get(key));
            }
            return (int) d;
        }

        String str(String key, String fallback) {
            used.add(key);
            Object v = map.get(key);
            if (v == null) {
                return fallback;
            }
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("lr_scheduler_kwargs '" + key + "' for " + type
                        + ": expected a string, found " + v);
            }
            return s;
        }

        void rejectUnused() {
            for (String k : map.keySet()) {
                if (!used.contains(k)) {
                    throw new IllegalArgumentException("lr_scheduler_kwargs has '" + k + "', which " + type
                            + " does not take");
                }
            }
        }
    }
}
