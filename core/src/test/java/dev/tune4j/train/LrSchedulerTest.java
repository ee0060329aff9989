package dev.tune4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Behaviour outside the golden grid, checked against hand-computed values of the formulas. */
class LrSchedulerTest {

    @Test
    void constantStoresItsLambdaAsAPlainFunction() {
        LrScheduler s = LrSchedules.getScheduler("constant", 0.1, 5, 10, Map.of());
        assertEquals(0.1, s.lr()); // no warmup at all
        List<?> lambdas = (List<?>) s.stateDict().get("lr_lambdas");
        assertNull(lambdas.get(0));
        assertEquals(Map.of(), LrSchedules.getScheduler("linear", 0.1, 5, 10, Map.of()).stateDict()
                .get("lr_lambdas") instanceof List<?> l ? l.get(0) : null);
    }

    @Test
    void minLrIsTheAbsoluteFormOfMinLrRate() {
        LrScheduler rate = LrSchedules.getScheduler("cosine_with_min_lr", 1e-3, 0, 10, Map.of("min_lr_rate", 0.25));
        LrScheduler abs = LrSchedules.getScheduler("cosine_with_min_lr", 1e-3, 0, 10, Map.of("min_lr", 2.5e-4));
        for (int k = 0; k <= 12; k++) {
            assertEquals(rate.lrAt(k), abs.lrAt(k), 1e-18, "k=" + k);
        }
        assertEquals(2.5e-4, rate.lrAt(10), 1e-18); // bottom of the half cosine
    }

    @Test
    void wsdDecayShapes() {
        // W=2, S=4, D=4, m=0.2: decay steps 6..9, progress p = (k-6)/4
        LrLambda lin = LrSchedules.warmupStableDecay(2, 4, 4, 0.2, 0.5, "linear", null);
        LrLambda sqrt = LrSchedules.warmupStableDecay(2, 4, 4, 0.2, 0.5, "1-sqrt", null);
        LrLambda cos = LrSchedules.warmupStableDecay(2, 4, 4, 0.2, 0.5, "cosine", null);
        assertEquals(0.5, lin.factor(1));
        assertEquals(1.0, lin.factor(5));
        assertEquals(1.0, lin.factor(6));
        assertEquals(0.5 * 0.8 + 0.2, lin.factor(8), 1e-15);
        assertEquals((1 - Math.sqrt(0.25)) * 0.8 + 0.2, sqrt.factor(7), 1e-15);
        assertEquals(0.5 * 0.8 + 0.2, cos.factor(8), 1e-15); // cos(pi/2) = 0
        assertEquals(0.2, lin.factor(10));
        // a warmup_type switches to the later formula that starts at min_lr_ratio
        assertEquals(0.2, LrSchedules.warmupStableDecay(2, 4, 4, 0.2, 0.5, "linear", "linear").factor(0));
    }

    @Test
    void wsdDerivesStableStepsFromTheTotal() {
        LrScheduler s = LrSchedules.getScheduler("warmup_stable_decay", 1.0, 2, 10, Map.of("num_decay_steps", 4));
        assertEquals(1.0, s.lrAt(5));      // stable through step 5 (2 + 4)
        assertEquals(1.0, s.lrAt(6));      // decay begins at its top
        assertTrue(s.lrAt(7) < 1.0);
    }

    @Test
    void inverseSqrtTimescaleKwarg() {
        LrScheduler s = LrSchedules.getScheduler("inverse_sqrt", 1.0, 0, 0, Map.of("timescale", 4));
        assertEquals(1.0, s.lrAt(0));
        assertEquals(0.5, s.lrAt(12)); // 1/sqrt(16/4)
        assertEquals(1.0 / Math.sqrt(2), LrSchedules.getScheduler("inverse_sqrt", 1.0, 0, 0, Map.of()).lrAt(10_000), 1e-16);
    }

    @Test
    void badArgumentsNameTheProblem() {
        assertMessage(() -> LrSchedules.getScheduler("linear", 1e-3, 0, 10, Map.of("num_cycles", 2)), "num_cycles");
        assertMessage(() -> LrSchedules.getScheduler("cosine", 1e-3, 0, 10, Map.of("num_cycles", "two")), "number");
        assertMessage(() -> LrSchedules.getScheduler("polynomial", 1e-3, 0, 10, Map.of("lr_end", 1e-2)), "lr_end");
        assertMessage(() -> LrSchedules.getScheduler("cosine_with_min_lr", 1e-3, 0, 10, Map.of()), "min_lr");
        assertMessage(() -> LrSchedules.getScheduler("cosine_with_min_lr", 1e-3, 0, 10,
                Map.of("min_lr", 1e-4, "min_lr_rate", 0.1)), "only one");
        assertMessage(() -> LrSchedules.getScheduler("warmup_stable_decay", 1e-3, 0, 10, Map.of()), "num_decay_steps");
        assertMessage(() -> LrSchedules.getScheduler("warmup_stable_decay", 1e-3, 0, 10,
                Map.of("num_decay_steps", 3, "decay_type", "exp")), "decay_type");
        assertMessage(() -> LrSchedules.getScheduler("linear", 1e-3, 0, 0, Map.of()), "numTrainingSteps");
        assertMessage(() -> LrSchedules.getScheduler("lineer", 1e-3, 0, 10, Map.of()), "lineer");
        assertMessage(() -> LrSchedules.getScheduler("reduce_lr_on_plateau", 1e-3, 0, 10, Map.of()), "ReduceLrOnPlateau");
        LrScheduler s = LrSchedules.getScheduler("linear", 1e-3, 0, 10, Map.of());
        assertMessage(() -> s.loadStateDict(Map.of("last_epoch", "x")), "last_epoch");
        assertMessage(() -> s.loadStateDict(Map.of("last_epoch", 3, "base_lrs", List.of(1e-3, 1e-3))), "base_lrs");
    }

    private static void assertMessage(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should name " + part);
    }
}
