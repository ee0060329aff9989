package dev.tune4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The scalar path in a fresh JVM: once without {@code --add-modules jdk.incubator.vector} (the
 * library must neither fail to load nor touch the Vector API), once with the module but
 * {@code -Dtune4j.vector=false}. {@link ScalarPathMain} checks the results against double
 * references and reports through its exit status.
 */
class ScalarFallbackTest {
    private static String runChild(List<String> jvmArgs) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(
                System.getProperty("java.home") + "/bin/java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ScalarPathMain.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), () -> "child JVM " + cmd + " failed:\n" + output);
        return output;
    }

    @Test
    void scalarPathWithoutTheVectorModule() throws Exception {
        String out = runChild(List.of());
        assertTrue(out.contains("vector module present: false, vector kernels: false"), out);
        assertTrue(out.contains("OK"), out);
    }

    @Test
    void scalarPathForcedByProperty() throws Exception {
        String out = runChild(List.of("--add-modules", "jdk.incubator.vector", "-Dtune4j.vector=false"));
        assertTrue(out.contains("vector module present: true, vector kernels: false"), out);
        assertTrue(out.contains("OK"), out);
    }
}
