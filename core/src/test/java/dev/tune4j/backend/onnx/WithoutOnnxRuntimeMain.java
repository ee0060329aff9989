package dev.tune4j.backend.onnx;

import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.train.TrainOutput;
import dev.tune4j.train.Trainer;
import dev.tune4j.train.TrainingArguments;
import java.util.List;
import java.util.Map;

/**
 * Run by {@link WithoutOnnxRuntimeTest} in a JVM whose class path lacks ONNX Runtime and the ONNX
 * protobuf classes: a golden model loads and runs on the cpu backend, and asking for onnxruntime
 * fails with the message naming the artifact. Prints what it saw; fails by throwing.
 */
public final class WithoutOnnxRuntimeMain {
    private WithoutOnnxRuntimeMain() {}

    /**
     * One Trainer step on the cpu backend (the Trainer also holds the code that trains in ONNX
     * Runtime): its loss is the forward's loss before the step.
     */
    private static void trainOneStep(CausalLM model) {
        model.module().namedParameters().get("model.norm.weight").requiresGrad(true);
        int[][] ids = {{1, 5, 9, 13, 17}};
        float want = model.forward(new ForwardArgs(ids, null, null, ids, false)).loss();
        List<Integer> row = List.of(1, 5, 9, 13, 17);
        TrainingArguments args = TrainingArguments.builder().outputDir(System.getProperty("java.io.tmpdir"))
                .maxSteps(1).saveStrategy("no").reportTo(List.of()).build();
        TrainOutput out = new Trainer(model, args, Dataset.fromList(List.of(Map.of("input_ids", row, "labels", row))),
                null, new DataCollatorForSeq2Seq(0)).train();
        if (out.globalStep() != 1 || Math.abs(out.trainingLoss() - want) > 1e-5) {
            throw new AssertionError("trainer: " + out + ", expected one step with loss " + want);
        }
        System.out.println("trainer: one step on the cpu backend");
    }

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
            trainOneStep(model);
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
