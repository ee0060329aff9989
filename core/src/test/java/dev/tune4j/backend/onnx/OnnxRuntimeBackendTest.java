package dev.tune4j.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.tensor.DType;
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

    /**
     * deviceMap("auto") follows what ONNX Runtime reports about its providers: this build carries
     * the CPU-only artifact, so "auto" stays on the CPU (the pure-Java backend unless onnxruntime
     * was chosen); where the CUDA provider is present it takes cuda:0 on onnxruntime.
     */
    @Test
    void deviceMapAutoFollowsTheAvailableProviders() throws Exception {
        boolean cuda = ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA);
        assertEquals(cuda, OnnxRuntimeBackend.cudaAvailable());
        LoadOptions plain = LoadOptions.builder().deviceMap("auto").build();
        assertEquals(cuda ? "onnxruntime" : "cpu", plain.backend());
        assertEquals(cuda ? "cuda:0" : "cpu", plain.device());
        LoadOptions ort = LoadOptions.builder().backend("onnxruntime").deviceMap("AUTO").build();
        assertEquals("onnxruntime", ort.backend());
        assertEquals(cuda ? "cuda:0" : "cpu", ort.device());
        LoadOptions cpu = LoadOptions.builder().backend("cpu").deviceMap("auto").build();
        assertEquals("cpu", cpu.backend());
        assertEquals("cpu", cpu.device());
        assertEquals("cuda:1", LoadOptions.builder().backend("onnxruntime").deviceMap("cuda:1").build().device());
        // the last of device / deviceMap wins, as keyword arguments would
        assertEquals("cpu", LoadOptions.builder().backend("onnxruntime").deviceMap("auto").device("cpu").build().device());
    }

    /**
     * bfloat16 weights (torch_dtype=bfloat16, compute in float32) reach ORT widened to float32:
     * the same numbers as the CPU backend computing on the same rounded weights, whose float32
     * path the golden tests pin to transformers.
     */
    @Test
    void bfloat16WeightsGiveTheCpuBackendsLogits() {
        var dir = SharedData.require("golden/qwen2_tiny");
        int[][] ids = {{5, 17, 300, 42, 9}, {0, 0, 11, 12, 13}};
        int[][] mask = {{1, 1, 1, 1, 1}, {0, 0, 1, 1, 1}};
        try (var cpu = AutoModelForCausalLM.fromPretrained(dir, LoadOptions.builder().torchDtype(DType.BF16).build());
             var ort = AutoModelForCausalLM.fromPretrained(dir,
                     LoadOptions.builder().backend("onnxruntime").torchDtype(DType.BF16).build())) {
            float[] e = cpu.forward(ids, mask, null).logits().toFloatArray();
            float[] a = ort.forward(ids, mask, null).logits().toFloatArray();
            int vocab = cpu.config().vocabSize();
            for (int i = 0; i < e.length; i++) {
                int tok = i / vocab;
                if (mask[tok / 5][tok % 5] == 1) {
                    assertEquals(e[i], a[i], 1e-4, "logit " + i);
                }
            }
        }
    }

    /**
     * Weights stay out of the serialized graphs (declared as external data, handed to the session
     * from the model's buffers), and the decode graph has one past/new key and value per layer.
     */
    @Test
    void graphsHoldNoWeightBytes() {
        var dir = SharedData.require("golden/llama_tiny");
        try (var model = (OrtCausalLM) AutoModelForCausalLM.fromPretrained(dir,
                LoadOptions.builder().backend("onnxruntime").build())) {
            long weightBytes = 0;
            for (var p : model.module().namedParameters().values()) {
                weightBytes += p.value().numel() * 4;
            }
            int layers = model.config().numHiddenLayers();
            assertTrue(model.forwardGraph().modelBytes() < weightBytes / 20,
                    model.forwardGraph().modelBytes() + " bytes of graph for " + weightBytes + " of weights");
            assertTrue(model.decodeGraph().modelBytes() < weightBytes / 20);
            assertEquals(layers, model.decodeGraph().inputs().stream().filter(i -> i.kind() == GraphInput.Kind.PAST_KEY).count());
            assertEquals(layers, model.decodeGraph().inputs().stream().filter(i -> i.kind() == GraphInput.Kind.PAST_VALUE).count());
            assertTrue(model.forwardGraph().inputs().stream().noneMatch(i -> i.kind() == GraphInput.Kind.PAST_KEY));
        }
    }

    /**
     * Loaded models run in the sessions (so the golden comparisons exercise ONNX Runtime, not the
     * CPU ops the traced modules also have); a parameter set to train switches forward passes to
     * the module, which then computes with the weight as it is changed.
     */
    @Test
    void forwardRunsInTheSessionsUntilAParameterTrains() {
        var dir = SharedData.require("golden/llama_tiny");
        int[][] ids = {{5, 17, 300, 42, 9}};
        try (var model = (OrtCausalLM) AutoModelForCausalLM.fromPretrained(dir,
                LoadOptions.builder().backend("onnxruntime").build());
             var cpu = AutoModelForCausalLM.fromPretrained(dir)) {
            float[] before = model.forward(ids, null, null).logits().toFloatArray();
            assertTrue(model.runsInSessions());
            var norm = model.module().namedParameters().get("model.norm.weight");
            norm.requiresGrad(true);
            float[] scaled = norm.value().toFloatArray();
            for (int i = 0; i < scaled.length; i++) {
                scaled[i] *= 0.5f;
            }
            norm.set(dev.tune4j.tensor.Tensor.of(scaled, scaled.length));
            float[] after = model.forward(ids, null, null).logits().toFloatArray();
            assertTrue(!model.runsInSessions());
            var cpuNorm = cpu.module().namedParameters().get("model.norm.weight");
            cpuNorm.set(dev.tune4j.tensor.Tensor.of(scaled, scaled.length));
            float[] expected = cpu.forward(ids, null, null).logits().toFloatArray();
            assertEquals(expected.length, after.length);
            for (int i = 0; i < after.length; i++) {
                assertEquals(expected[i], after[i], 1e-5, "logit " + i);
            }
            assertTrue(Math.abs(before[0] - after[0]) > 1e-3, "halving the final norm changes the logits");
        }
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
