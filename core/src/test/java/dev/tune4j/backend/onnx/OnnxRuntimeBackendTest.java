package dev.tune4j.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.testing.SharedData;
import org.junit.jupiter.api.Test;

/** Device selection and refusals of the onnxruntime backend. */
class OnnxRuntimeBackendTest {
    @Test
    void devicesParseAsTorchNamesThem() {
        assertEquals(-1, OnnxRuntimeBackend.create("cpu").cudaDevice());
        assertEquals(0, OnnxRuntimeBackend.create("cuda").cudaDevice());
        assertEquals(3, OnnxRuntimeBackend.create("CUDA:3").cudaDevice());
        var e = assertThrows(IllegalArgumentException.class, () -> OnnxRuntimeBackend.create("mps"));
        assertTrue(e.getMessage().contains("device 'mps'"), e.getMessage());
        var l = assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.builder().backend("cpu").device("cuda:0").build());
        assertTrue(l.getMessage().contains("use backend onnxruntime for cuda"), l.getMessage());
    }

    /** The build's onnxruntime artifact is the CPU one: asking for CUDA names the GPU artifact. */
    @Test
    void cudaWithTheCpuArtifactNamesOnnxruntimeGpu() {
        var dir = SharedData.require("golden/gpt2_tiny");
        var opts = LoadOptions.builder().backend("onnxruntime").device("cuda:0").build();
        var e = assertThrows(IllegalStateException.class, () -> AutoModelForCausalLM.fromPretrained(dir, opts));
        assertTrue(e.getMessage().contains("com.microsoft.onnxruntime:onnxruntime_gpu"), e.getMessage());
    }
}
