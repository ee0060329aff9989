package dev.tune4j.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** transformers' TextStreamer release rule: up to the last space, whole lines, whole text after a CJK character. */
class TextStreamerTest {
    private static final Map<Integer, String> PIECES = Map.of(
            1, "Hel", 2, "lo", 3, " wor", 4, "ld", 5, "!\n", 6, " 你", 7, "好", 8, " ok");

    private static final Function<int[], String> DECODE = ids -> {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(PIECES.get(id));
        return sb.toString();
    };

    private static List<String> stream(int... ids) {
        List<String> out = new ArrayList<>();
        TextStreamer s = new TextStreamer(DECODE, out::add);
        for (int id : ids) s.put(0, id);
        s.end();
        return out;
    }

    @Test
    void releasesWholeWordsThenTheRestAtEnd() {
        // "Hel" -> nothing; "Hello" -> nothing; "Hello wor" -> "Hello "; "Hello world" -> nothing; end -> "world"
        assertEquals(List.of("Hello ", "world"), stream(1, 2, 3, 4));
    }

    @Test
    void aNewlineFlushesTheLine() {
        // after the line, " ok" releases its leading space at once (text up to the last space), "ok" at end
        assertEquals(List.of("Hello ", "world!\n", " ", "ok"), stream(1, 2, 3, 4, 5, 8));
    }

    @Test
    void cjkIsReleasedAtOnce() {
        // "Hello 你" ends in a CJK character, so all of it goes out, then "好"
        assertEquals(List.of("Hello 你", "好"), stream(1, 2, 6, 7));
    }

    @Test
    void onlyOneRow() {
        TextStreamer s = new TextStreamer(DECODE, x -> { });
        assertThrows(IllegalStateException.class, () -> s.put(1, 1));
    }
}
