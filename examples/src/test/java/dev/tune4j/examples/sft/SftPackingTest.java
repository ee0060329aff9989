package dev.tune4j.examples.sft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.examples.support.ExampleArgs;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftPackingTest {
    @TempDir
    Path tmp;

    @Test
    void packsShortConversationsAndLearnsFromThem() {
        SftPacking.Result r = SftPacking.run(new ExampleArgs(null, tmp, 200, List.of()),
                new PrintStream(OutputStream.nullOutputStream()));
        // Conversations of about 20 tokens fit several to a row of 128.
        assertTrue(r.packedRows() * 3 < r.rawRows(), r.rawRows() + " -> " + r.packedRows());
        assertTrue(r.lastLoss() < r.firstLoss() / 2, r.firstLoss() + " -> " + r.lastLoss());
        assertTrue(r.accuracyAfter() > r.accuracyBefore() + 0.3, r.accuracyBefore() + " -> " + r.accuracyAfter());
        assertTrue(Files.isRegularFile(tmp.resolve("adapter/adapter_model.safetensors")));
        assertTrue(Files.isRegularFile(tmp.resolve("loss.svg")));
    }
}
