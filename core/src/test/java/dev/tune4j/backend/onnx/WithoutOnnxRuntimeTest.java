package dev.tune4j.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.testing.SharedData;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime is an optional dependency: a child JVM whose class path has everything but the
 * onnxruntime and tribuo-util-onnx jars still loads and runs a model on the cpu backend, and gets
 * a message naming the artifact when it asks for the onnxruntime backend.
 */
class WithoutOnnxRuntimeTest {
    private static boolean isOnnxJar(String file) {
        return file.startsWith("onnxruntime") && file.endsWith(".jar") || file.startsWith("tribuo-util-onnx");
    }

    @Test
    void coreRunsWithoutOnnxRuntimeAndNamesTheArtifactWhenAskedForIt() throws Exception {
        SharedData.require("golden/llama_tiny");
        // Surefire may start tests through a manifest-only jar; it publishes the real class path here.
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> kept = Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> !isOnnxJar(Path.of(e).getFileName().toString()))
                .collect(Collectors.toList());
        assertTrue(kept.size() < cp.split(File.pathSeparator).length, "the test class path has the onnxruntime jars");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, kept), WithoutOnnxRuntimeMain.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("absent: ai.onnxruntime.OrtEnvironment"), out);
        assertTrue(out.contains("cpu backend: logits match"), out);
        assertTrue(out.contains("trainer: one step on the cpu backend"), out);
        assertTrue(out.contains("onnxruntime: backend 'onnxruntime' needs ONNX Runtime on the class path: add"
                + " com.microsoft.onnxruntime:onnxruntime"), out);
    }
}
