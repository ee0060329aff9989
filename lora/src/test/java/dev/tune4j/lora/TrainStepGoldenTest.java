package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.autograd.Autograd;
import dev.tune4j.autograd.GradMode;
import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.models.CausalLMOutput;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.nn.Parameter;
import dev.tune4j.train.AdamW;
import dev.tune4j.train.ParamGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One LoRA training step against peft + torch: loss, every gradient, and the weights after AdamW. */
class TrainStepGoldenTest {
    private static int[][] matrix(JsonNode n) {
        int[][] m = new int[n.size()][];
        for (int r = 0; r < n.size(); r++) {
            m[r] = new int[n.get(r).size()];
            for (int c = 0; c < m[r].length; c++) {
                m[r][c] = n.get(r).get(c).intValue();
            }
        }
        return m;
    }

    @Test
    void oneStepMatchesPeft() throws Exception {
        oneStep(false);
    }

    @Test
    void gradientCheckpointingGivesTheSameStep() throws Exception {
        oneStep(true);
    }

    private void oneStep(boolean checkpointing) throws Exception {
        Goldens g = new Goldens();
        JsonNode step = new ObjectMapper().readTree(g.peft.resolve("expected.json").toFile()).get("train_step");
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter"), "default", true)) {
            peft.train(true);
            peft.gradientCheckpointing(checkpointing);
            Map<String, Parameter> params = peft.trainableParameters();
            List<String> names = new ArrayList<>();
            step.get("trainable_param_names").forEach(n -> names.add(n.textValue()));
            assertEquals(names, new ArrayList<>(params.keySet()), "peft's trainable parameters, in peft's order");

            var args = new ForwardArgs(matrix(step.get("input_ids")), matrix(step.get("attention_mask")), null,
                    matrix(step.get("labels")), false);
            CausalLMOutput out;
            try (var on = GradMode.enableGrad()) {
                out = peft.forward(args);
                Autograd.backward(out.lossTensor());
            }
            assertEquals(step.get("loss").doubleValue(), out.loss(), 1e-4, "loss");
            try (SafetensorsFile grads = SafetensorsFile.open(g.peft.resolve("train_grads.safetensors"))) {
                for (var e : params.entrySet()) {
                    assertNotNull(e.getValue().grad(), e.getKey());
                    Goldens.assertAllClose("grad " + e.getKey(), grads.tensor(e.getKey()).toFloatArray(),
                            e.getValue().grad().toFloatArray(), 1e-5);
                }
            }

            var adamw = new AdamW(List.of(new ParamGroup(params, 1e-3, 0.0)), 0.9, 0.999, 1e-8);
            adamw.step();
            try (SafetensorsFile after = SafetensorsFile.open(g.peft.resolve("train_after_step.safetensors"))) {
                for (var e : params.entrySet()) {
                    Goldens.assertAllClose("after step " + e.getKey(), after.tensor(e.getKey()).toFloatArray(),
                            e.getValue().value().toFloatArray(), 1e-6);
                }
            }
            float lossAfter;
            try (var off = GradMode.noGrad()) {
                lossAfter = peft.forward(args).loss();
            }
            assertEquals(step.get("loss_after_step").doubleValue(), lossAfter, 1e-4, "loss after the step");
        }
    }
}
