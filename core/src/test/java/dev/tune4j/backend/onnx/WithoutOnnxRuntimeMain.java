package dev.tune4j.backend.onnx;

import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.tensor.Tensor;

/**
 * Run by {@link WithoutOnnxRuntimeTest} in a JVM whose class path lacks ONNX Runtime and the ONNX
 * protobuf classes: a golden model loads and runs on the cpu backend, and asking for onnxruntime
 * fails with the message naming the artifact. Prints what it saw; fails by throwing.
 */
public final class WithoutOnnxRuntimeMain {
    private WithoutOnnxRuntimeMain() {}

    public static void main(String[] args) {
        for (String absent : new String[] {OnnxRuntimeBackend.ORT_CLASS, OnnxRuntimeBackend.ONNX_PROTO_CLASS}) {
            try {
                Class.forName(absent);
                throw new AssertionError(absent + " is on the class path of this run");
            } catch (ClassNotFoundException expected) {
                System.out.println("absent: " + absent);
            }
        }
        try (Golden g = new Golden("llama_tiny"); CausalLM model = AutoModelForCausalLM.fromPretrained(g.dir)) {
            int[][] ids = g.ints("input_ids_1");
            Tensor logits = model.forward(ids, null, null).logits();
            OnnxRuntimeGoldenTest.assertClose(g.tensor("logits_1"), logits, null, "cpu backend logits_1");
            System.out.println("cpu backend: logits match");
            LoadOptions auto = LoadOptions.builder().deviceMap("auto").build();
            if (!auto.backend().equals("cpu") || !auto.device().equals("cpu")) {
                throw new AssertionError("deviceMap(auto) without ONNX Runtime chose " + auto.backend() + "/" + auto.device());
            }
            System.out.println("deviceMap(auto): cpu backend");
            try {
                AutoModelForCausalLM.fromPretrained(g.dir, LoadOptions.builder().backend("onnxruntime").build());
                throw new AssertionError("the onnxruntime backend loaded without ONNX Runtime");
            } catch (IllegalStateException e) {
                System.out.println("onnxruntime: " + e.getMessage());
            }
        }
    }
}
