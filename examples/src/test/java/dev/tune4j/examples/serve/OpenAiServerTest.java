package dev.tune4j.examples.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.lora.serving.GenerationRequest;
import dev.tune4j.lora.serving.LoraServer;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ModelConfig;
import dev.tune4j.testing.SharedData;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI-compatible front on loopback, over a small random Llama whose vocabulary is phi-3's
 * (so the real phi-3 tokenizer and chat template apply) and two seeded random adapters. Answers are
 * checked against each adapter alone through {@code PeftModel.generate} and the tokenizer.
 */
class OpenAiServerTest {
    static final String CONFIG = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32064,
             "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
             "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16,
             "max_position_embeddings": 512, "rms_norm_eps": 1e-06, "rope_theta": 10000.0,
             "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 32000,
             "initializer_range": 0.5, "torch_dtype": "float32"}
            """;
    static final long SEED = 5;

    @TempDir
    static Path tmp;
    static ModelConfig config;
    static Path tokDir;
    static PretrainedTokenizer tok;
    static Path a1;
    static Path a2;
    static CausalLM model;
    static LoraServer lora;
    static OpenAiServer front;
    static final HttpClient client = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        tokDir = SharedData.require("tokenizers/phi3_mini");
        tok = AutoTokenizer.fromPretrained(tokDir);
        config = AutoConfig.fromJson(CONFIG, "test config");
        a1 = adapter("a1", 4, 7, "q_proj", "v_proj");
        a2 = adapter("a2", 8, 8, "o_proj", "down_proj", "up_proj");
        model = AutoModelForCausalLM.fromConfig(config, SEED);
        lora = LoraServer.builder(model).tokenizer(tok).maxNumSeqs(1).maxQueuedRequests(1).build();
        lora.loadLora("a1", a1);
        lora.loadLora("a2", a2);
        front = OpenAiServer.start(lora, "tiny", new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        if (front != null) {
            front.close();
            lora.close();
            model.close();
        }
    }

    static Path adapter(String name, int r, long seed, String... targets) {
        LoraConfig c = LoraConfig.builder().r(r).loraAlpha(4 * r).targetModules(targets).initLoraWeights(false).build();
        Path dir = tmp.resolve(name);
        try (PeftModel p = PeftModel.getPeftModel(AutoModelForCausalLM.fromConfig(config, SEED), c, "default", seed)) {
            p.savePretrained(dir);
        }
        return dir;
    }

    /** What {@code adapter} (null: the base) generates alone, greedy, for {@code prompt}. */
    static int[] alone(Path adapter, int[] prompt, int maxNew) {
        var cfg = GenerationConfig.builder().maxNewTokens(maxNew).eosTokenIds(32000).build();
        CausalLM m = AutoModelForCausalLM.fromConfig(config, SEED);
        try (CausalLM closing = adapter == null ? m : PeftModel.fromPretrained(m, adapter)) {
            int[][] seq = closing.generate(new int[][] {prompt}, null, cfg);
            return Arrays.copyOfRange(seq[0], prompt.length, seq[0].length);
        }
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return json.readTree(r.body());
    }

    static void assertError(int status, HttpResponse<String> r) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode err = json.readTree(r.body()).get("error");
        assertTrue(err != null && err.get("message").isTextual() && err.get("code").asInt() == status, r.body());
    }

    /** The data lines of a server-sent event stream, [DONE] included. */
    static List<String> events(String body) {
        List<String> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            assertTrue(block.startsWith("data: "), "event: " + block);
            out.add(block.substring(6));
        }
        return out;
    }

    @Test
    void modelsListsTheBaseAndEachAdapter() throws Exception {
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode data = ok(r).get("data");
        assertEquals(3, data.size());
        assertEquals("tiny", data.get(0).get("id").asText());
        assertEquals("a1", data.get(1).get("id").asText());
        assertEquals("tiny", data.get(1).get("parent").asText());
        assertEquals("a2", data.get(2).get("id").asText());
    }

    @Test
    void completionsPickTheAdapterByModel() throws Exception {
        String prompt = "The quick brown fox";
        int[] ids = tok.encode(prompt, true).ids();
        int[] expected = alone(a1, ids, 6);
        JsonNode r = ok(post("/v1/completions", """
                {"model": "a1", "prompt": "The quick brown fox", "max_tokens": 6, "temperature": 0,
                 "return_token_ids": true}"""));
        assertEquals("text_completion", r.get("object").asText());
        JsonNode choice = r.get("choices").get(0);
        assertEquals(tok.decode(expected, true), choice.get("text").asText());
        assertArrayEquals(expected, json.treeToValue(choice.get("token_ids"), int[].class));
        assertEquals(ids.length, r.get("usage").get("prompt_tokens").asInt());
        assertEquals(expected.length, r.get("usage").get("completion_tokens").asInt());
        assertEquals(expected.length == 6 ? "length" : "stop", choice.get("finish_reason").asText());

        int[] base = alone(null, new int[] {1, 450, 4996}, 5);
        JsonNode b = ok(post("/v1/completions", """
                {"model": "tiny", "prompt": [1, 450, 4996], "max_tokens": 5, "temperature": 0}"""));
        assertEquals(tok.decode(base, true), b.get("choices").get(0).get("text").asText());
        assertFalse(Arrays.equals(base, alone(a1, new int[] {1, 450, 4996}, 5)), "the adapter changes the answer");
    }

    @Test
    void chatCompletionsAppliesTheChatTemplateAndStreams() throws Exception {
        List<Map<String, Object>> messages = List.of(Map.of("role", "user", "content", "Hi there"));
        int[] ids = tok.encode(tok.applyChatTemplate(messages, true), false).ids();
        String expected = tok.decode(alone(a2, ids, 8), true);
        String body = """
                {"model": "a2", "messages": [{"role": "user", "content": "Hi there"}], "max_tokens": 8,
                 "temperature": 0%s}""";
        JsonNode r = ok(post("/v1/chat/completions", body.formatted("")));
        assertEquals("chat.completion", r.get("object").asText());
        assertEquals("assistant", r.get("choices").get(0).get("message").get("role").asText());
        assertEquals(expected, r.get("choices").get(0).get("message").get("content").asText());

        var s = post("/v1/chat/completions", body.formatted(", \"stream\": true"));
        assertEquals(200, s.statusCode(), s.body());
        assertTrue(s.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> ev = events(s.body());
        assertEquals("[DONE]", ev.get(ev.size() - 1));
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (int i = 0; i < ev.size() - 1; i++) {
            JsonNode c = json.readTree(ev.get(i));
            assertEquals("chat.completion.chunk", c.get("object").asText());
            JsonNode choice = c.get("choices").get(0);
            if (i == 0) {
                assertEquals("assistant", choice.get("delta").get("role").asText());
            }
            text.append(choice.get("delta").path("content").asText(""));
            if (!choice.get("finish_reason").isNull()) {
                finish = choice.get("finish_reason").asText();
            }
        }
        assertEquals(expected, text.toString());
        assertEquals(r.get("choices").get(0).get("finish_reason").asText(), finish);
    }

    @Test
    void completionsStreamTextPieces() throws Exception {
        int[] expected = alone(null, tok.encode("Once upon", true).ids(), 7);
        var s = post("/v1/completions", """
                {"prompt": "Once upon", "max_tokens": 7, "temperature": 0, "stream": true}""");
        List<String> ev = events(s.body());
        assertEquals("[DONE]", ev.get(ev.size() - 1));
        StringBuilder text = new StringBuilder();
        for (String e : ev.subList(0, ev.size() - 1)) {
            JsonNode c = json.readTree(e);
            assertEquals("text_completion", c.get("object").asText());
            text.append(c.get("choices").get(0).get("text").asText());
        }
        assertEquals(tok.decode(expected, true), text.toString());
    }

    @Test
    void badRequestsGetJsonErrors() throws Exception {
        assertError(400, post("/v1/completions", "{not json"));
        assertError(400, post("/v1/completions", "[1, 2]"));
        assertError(400, post("/v1/completions", "{\"model\": \"tiny\"}"));
        assertError(400, post("/v1/completions", "{\"prompt\": \"x\", \"temperature\": \"hot\"}"));
        assertError(400, post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 0}"));
        assertError(400, post("/v1/completions", "{\"prompt\": [1, 99999]}"));
        assertError(400, post("/v1/completions", "{\"prompt\": [1, 2], \"max_tokens\": 1000000000}"));
        assertError(400, post("/v1/completions", "{\"prompt\": \"x\", \"n\": 2}"));
        assertError(400, post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\"}]}"));
        assertError(404, post("/v1/completions", "{\"model\": \"nope\", \"prompt\": \"x\"}"));
        assertError(404, post("/v1/nothing", "{}"));
        var get = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/v1/completions"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertError(405, get);
    }

    @Test
    void overloadIsAnswered429AndTheServerRecovers() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // maxNumSeqs=1, maxQueuedRequests=1: one running (held here), one waiting, the next refused.
        var held = lora.submit(GenerationRequest.builder().promptTokenIds(1, 2, 3)
                .config(GenerationConfig.builder().maxNewTokens(2).build()).streamer(t -> {
                    entered.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).build());
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        CompletableFuture<HttpResponse<String>> queued = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/v1/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": [1, 5], \"max_tokens\": 2}")).build(),
                HttpResponse.BodyHandlers.ofString());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lora.stats().waiting() < 1 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        var refused = post("/v1/completions", "{\"prompt\": [1, 5], \"max_tokens\": 2}");
        assertError(429, refused);
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
        release.countDown();
        held.get(10, TimeUnit.SECONDS);
        assertEquals(200, queued.get(10, TimeUnit.SECONDS).statusCode());
        ok(post("/v1/completions", "{\"prompt\": [1, 5], \"max_tokens\": 2}"));
    }

    @Test
    void launchStartsFromFlags() throws Exception {
        Path dir = tmp.resolve("model");
        try (CausalLM m = AutoModelForCausalLM.fromConfig(config, SEED)) {
            m.savePretrained(dir);
        }
        Files.copy(tokDir.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(tokDir.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        try (OpenAiServer s = OpenAiServer.launch("--model", dir.toString(), "--lora-modules", "x=" + a1, "y=" + a2,
                "--port", "0", "--max-loras", "1")) {
            assertEquals("127.0.0.1", s.address().getAddress().getHostAddress());
            assertEquals("model", s.modelName());
            var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode data = ok(r).get("data");
            assertEquals(List.of("model", "x", "y"), List.of(data.get(0).get("id").asText(), data.get(1).get("id").asText(),
                    data.get(2).get("id").asText()));
            String prompt = "{\"model\": \"x\", \"prompt\": \"Hello\", \"max_tokens\": 4, \"temperature\": 0}";
            var c = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(prompt)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(tok.decode(alone(a1, tok.encode("Hello", true).ids(), 4), true),
                    ok(c).get("choices").get(0).get("text").asText());
        }
    }
}
