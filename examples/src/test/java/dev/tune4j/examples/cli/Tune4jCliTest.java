package dev.tune4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Tune4jCliTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBuf = new ByteArrayOutputStream();

    private int run(String stdin, String... args) {
        outBuf.reset();
        errBuf.reset();
        return Tune4jCli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(outBuf, true, StandardCharsets.UTF_8), new PrintStream(errBuf, true, StandardCharsets.UTF_8));
    }

    @Test
    void trainsFromARecipeThenChatsWithTheAdapter() throws Exception {
        Files.writeString(tmp.resolve("recipe.json"), """
                {"max_length": 64,
                 "lora": {"r": 8, "lora_alpha": 16, "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]},
                 "training_args": {"output_dir": "run", "learning_rate": 0.005, "max_steps": 40,
                                   "per_device_train_batch_size": 16, "logging_steps": 5, "save_strategy": "no"}}
                """);
        assertEquals(0, run("", "train", tmp.resolve("recipe.json").toString()), errBuf.toString());
        Path adapter = tmp.resolve("run/final");
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_config.json")));
        String trainOut = outBuf.toString(StandardCharsets.UTF_8);
        assertTrue(trainOut.contains("last logged loss"), trainOut);

        assertEquals(0, run("倒序 1 2 3\nWhat number comes after 4?\n", "chat", tmp.resolve("run/base").toString(),
                "--adapter", adapter.toString(), "--max-new-tokens", "8"), errBuf.toString());
        String chat = outBuf.toString(StandardCharsets.UTF_8);
        assertEquals(3, chat.split(">", -1).length - 1, chat); // a prompt per question, and one at the end
    }

    @Test
    void badUsageAndMissingCommandsGiveExitCodes() {
        assertEquals(2, run("", "frobnicate"));
        assertTrue(errBuf.toString().contains("unknown command 'frobnicate'"));
        assertEquals(2, run("", "merge", "--base", tmp.toString()));
        assertTrue(errBuf.toString().contains("--adapter"), errBuf.toString());
        assertEquals(2, run("", "serve"));
        assertTrue(errBuf.toString().contains("--model"), errBuf.toString());
        assertEquals(2, run("", "train", tmp.resolve("missing.json").toString()));
        assertTrue(errBuf.toString().contains("missing.json"), errBuf.toString());
    }

    @Test
    void quantizeWritesAFourBitCheckpointWhereTheBuildCan() throws Exception {
        Path base = dev.tune4j.examples.embedded.EmbeddedModel.extract(tmp.resolve("base"));
        int code = run("", "quantize", base.toString(), "--out", tmp.resolve("q4").toString());
        if (!dev.tune4j.examples.support.QuantizedLoading.available(dev.tune4j.examples.qlora.Llama2QloraRecipe.bnbConfig())) {
            assertEquals(3, code);
            return;
        }
        assertEquals(0, code, errBuf.toString());
        String config = Files.readString(tmp.resolve("q4/config.json"));
        assertTrue(config.contains("quantization_config") && config.contains("nf4"), config);
        assertTrue(Files.size(tmp.resolve("q4/model.safetensors")) < Files.size(base.resolve("model.safetensors")) / 2);
        try (var back = dev.tune4j.models.AutoModelForCausalLM.fromPretrained(tmp.resolve("q4"))) {
            // the 4-bit checkpoint loads back and runs: one new token after a three-token prompt
            assertEquals(4, back.generate(new int[][] {{5, 6, 7}}, null,
                    back.generationConfig().toBuilder().maxNewTokens(1).build())[0].length);
        }
    }

    @Test
    void serveAnswersOpenAiRequestsOverTheEmbeddedModel() throws Exception {
        Path base = dev.tune4j.examples.embedded.EmbeddedModel.extract(tmp.resolve("serve-base"));
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        try (var front = Tune4jCli.serve(new String[] {"--model", base.toString(), "--port", "0",
                "--served-model-name", "tiny"}, quiet)) {
            var http = java.net.http.HttpClient.newHttpClient();
            var models = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + front.port() + "/v1/models")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, models.statusCode());
            assertTrue(models.body().contains("\"tiny\""), models.body());
            var completion = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + front.port() + "/v1/completions"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"model\": \"tiny\", \"prompt\": \"Reverse the digits 1 2 3 =>\\n\", \"max_tokens\": 6, \"temperature\": 0}"))
                    .header("Content-Type", "application/json").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, completion.statusCode(), completion.body());
            // The embedded model answers its pre-training phrasing by the rule.
            assertTrue(completion.body().contains("3 2 1"), completion.body());
        }
    }

    @Test
    void recipeErrorsNameTheKey() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Recipe.parse("{\"lora\": {\"r\": 8}}", "r.json", tmp));
        assertTrue(e.getMessage().contains("training_args"), e.getMessage());
        var e2 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Recipe.parse("{\"model\": 3, \"training_args\": {\"output_dir\": \"o\"}}", "r.json", tmp));
        assertTrue(e2.getMessage().contains("'model'"), e2.getMessage());
    }

    @Test
    void exportsAPeftAdapterForOnnxRuntime() {
        Path peft = dev.tune4j.testing.SharedData.require("golden/peft_lora_llama_tiny/adapter");
        Path file = tmp.resolve("default.onnx_adapter");
        assertEquals(0, run("", "export-onnx-adapter", peft.toString(), "--out", file.toString()), errBuf.toString());
        assertTrue(outBuf.toString(StandardCharsets.UTF_8).contains("wrote 28 tensors"), outBuf.toString());
        var read = dev.tune4j.backend.onnx.OnnxAdapterFile.read(file);
        assertEquals(28, read.parameters().size());
        assertTrue(read.parameters().containsKey("model.layers.0.self_attn.q_proj.lora_B.weight"));
        assertEquals(2, run("", "export-onnx-adapter", peft.toString()));
        assertTrue(errBuf.toString(StandardCharsets.UTF_8).contains("needs ADAPTER_DIR and --out"), errBuf.toString());
        Path dora = dev.tune4j.testing.SharedData.require("golden/peft_lora_llama_tiny/dora_adapter");
        assertEquals(2, run("", "export-onnx-adapter", dora.toString(), "--out", tmp.resolve("d.onnx_adapter").toString()));
        assertTrue(errBuf.toString(StandardCharsets.UTF_8).contains("use_dora=true"), errBuf.toString());
    }
}
