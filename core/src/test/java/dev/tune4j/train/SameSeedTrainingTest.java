package dev.tune4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same seed, data and thread count give the same training run to the bit: two fresh JVMs
 * run {@link SameSeedTrainingMain} (JIT warm-up, thread timing and chunk claiming differ between
 * them) and must save byte-identical weights after logging identical losses.
 */
class SameSeedTrainingTest {
    @TempDir
    Path tmp;

    private String run(Path out) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Dtune4j.threads=2",
                "-cp", System.getProperty("java.class.path"), SameSeedTrainingMain.class.getName(), out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), () -> "child JVM failed:\n" + output);
        return output.lines().filter(l -> l.startsWith("log ")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void twoRunsInFreshJvmsSaveTheSameBytes() throws Exception {
        String first = run(tmp.resolve("a"));
        String second = run(tmp.resolve("b"));
        assertTrue(first.lines().count() >= 10, "logged steps:\n" + first);
        assertEquals(first, second, "logged losses, grad norms and learning rates");
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/model/model.safetensors")),
                Files.readAllBytes(tmp.resolve("b/model/model.safetensors")), "saved weights");
    }
}
