package dev.tune4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** torch ReduceLROnPlateau semantics traced by hand. */
class ReduceLrOnPlateauTest {

    @Test
    void reducesAfterPatienceExceededThenCoolsDown() {
        ReduceLrOnPlateau s = ReduceLrOnPlateau.fromKwargs(new double[] {1.0},
                Map.of("patience", 1, "factor", 0.5, "cooldown", 1));
        s.step(1.0);          // best 1.0
        s.step(1.0);          // bad 1 (not below 1.0 * (1 - 1e-4))
        assertEquals(List.of(1.0), s.getLastLr());
        s.step(1.0);          // bad 2 > patience 1: reduce, cooldown 1
        assertEquals(List.of(0.5), s.getLastLr());
        s.step(1.0);          // bad 1, cooldown resets it to 0
        s.step(1.0);          // bad 1
        assertEquals(List.of(0.5), s.getLastLr());
        s.step(1.0);          // bad 2: reduce
        assertEquals(List.of(0.25), s.getLastLr());
        s.step(0.5);          // improvement
        assertEquals(0.5, s.best());
        assertEquals(7, s.lastEpoch());
    }

    @Test
    void respectsMinLrAndMaxMode() {
        ReduceLrOnPlateau s = ReduceLrOnPlateau.fromKwargs(new double[] {1.0, 0.1},
                Map.of("patience", 0, "min_lr", 0.05, "mode", "max"));
        s.step(0.9);          // best
        s.step(0.9);          // not above 0.9 * 1.0001: reduce both; group 1 clamps at min_lr
        assertEquals(List.of(0.1, 0.05), s.getLastLr());
        s.step(0.8);
        // min_lr applies to every group: max(0.1 * 0.1, 0.05); group 1 is already at the floor
        assertEquals(List.of(0.05, 0.05), s.getLastLr());
    }

    @Test
    void badKwargs() {
        assertThrows(IllegalArgumentException.class, () -> ReduceLrOnPlateau.fromKwargs(new double[] {1}, Map.of("factor", 1.0)));
        assertThrows(IllegalArgumentException.class, () -> ReduceLrOnPlateau.fromKwargs(new double[] {1}, Map.of("pat", 1)));
        assertThrows(IllegalArgumentException.class, () -> ReduceLrOnPlateau.fromKwargs(new double[] {1}, Map.of("mode", "up")));
    }
}
