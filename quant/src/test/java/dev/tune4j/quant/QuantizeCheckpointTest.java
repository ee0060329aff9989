package dev.tune4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tune4j.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line quantizer writes the checkpoint transformers + bitsandbytes wrote. */
class QuantizeCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheGoldenBnb4bitCheckpoint() throws Exception {
        Path golden = SharedData.require("golden/bnb4/llama_tiny_bnb4");
        Path out = tmp.resolve("q");
        QuantizeCheckpoint.main(new String[] {SharedData.require("golden/llama_tiny").toString(), out.toString()});
        assertArrayEquals(Files.readAllBytes(golden.resolve("model.safetensors")),
                Files.readAllBytes(out.resolve("model.safetensors")));
        assertEquals(Files.readString(golden.resolve("config.json")), Files.readString(out.resolve("config.json")));
        assertThrows(IllegalArgumentException.class, () -> QuantizeCheckpoint.main(new String[] {"a", "b", "--x"}));
    }
}
