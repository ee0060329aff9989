package dev.tune4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every corpus text of every family against the goldens produced by the reference Rust
 * implementation (shared/tokenizers/FAMILY/golden.jsonl): ids, tokens, offsets, decoded text.
 */
class GoldenTest {
    private static final ObjectMapper OM = new ObjectMapper();
    private static final Map<String, Tokenizer> CACHE = new ConcurrentHashMap<>();

    static Tokenizer load(String family) {
        return CACHE.computeIfAbsent(family,
                f -> Tokenizer.fromFile(SharedData.require("tokenizers/" + f + "/tokenizer.json")));
    }

    static List<JsonNode> golden(String family) throws IOException {
        Path p = SharedData.require("tokenizers/" + family + "/golden.jsonl");
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(OM.readTree(line));
            }
        }
        return out;
    }

    static int[] ints(JsonNode n) {
        int[] r = new int[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = n.get(i).asInt();
        return r;
    }

    static String[] strs(JsonNode n) {
        String[] r = new String[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = n.get(i).asText();
        return r;
    }

    static String offs(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode o : n) sb.append('[').append(o.get(0).asInt()).append(',').append(o.get(1).asInt()).append(']');
        return sb.toString();
    }

    static String offs(int[][] o) {
        StringBuilder sb = new StringBuilder();
        for (int[] x : o) sb.append('[').append(x[0]).append(',').append(x[1]).append(']');
        return sb.toString();
    }

    private interface Check {
        String mismatch(Tokenizer tok, JsonNode g, String text);
    }

    private static void run(String family, Check check) throws IOException {
        Tokenizer tok = load(family);
        List<JsonNode> cases = golden(family);
        List<String> failures = new ArrayList<>();
        for (JsonNode g : cases) {
            String text = g.get("text").asText();
            String m = check.mismatch(tok, g, text);
            if (m != null) {
                failures.add(g.get("id").asText() + ": " + m);
            }
        }
        assertTrue(failures.isEmpty(), family + ": " + failures.size() + " of " + cases.size() + " cases differ:\n"
                + String.join("\n", failures.subList(0, Math.min(8, failures.size()))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama2", "llama3_2", "qwen2_5", "mistral_v0_1", "gemma2", "phi3_mini",
            "bert_base_uncased", "t5_small", "falcon"})
    void ids(String family) throws IOException {
        run(family, (tok, g, text) -> {
            int[] a = tok.encode(text, true).ids();
            int[] b = tok.encode(text, false).ids();
            if (!Arrays.equals(ints(g.get("ids")), a)) {
                return "ids " + Arrays.toString(a) + " expected " + g.get("ids");
            }
            if (!Arrays.equals(ints(g.get("ids_no_special")), b)) {
                return "ids_no_special " + Arrays.toString(b) + " expected " + g.get("ids_no_special");
            }
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama2", "llama3_2", "qwen2_5", "mistral_v0_1", "gemma2", "phi3_mini",
            "bert_base_uncased", "t5_small", "falcon"})
    void tokens(String family) throws IOException {
        run(family, (tok, g, text) -> {
            String[] a = tok.encode(text, true).tokens();
            String[] b = tok.encode(text, false).tokens();
            if (!Arrays.equals(strs(g.get("tokens")), a)) {
                return "tokens " + Arrays.toString(a) + " expected " + g.get("tokens");
            }
            if (!Arrays.equals(strs(g.get("tokens_no_special")), b)) {
                return "tokens_no_special " + Arrays.toString(b) + " expected " + g.get("tokens_no_special");
            }
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama2", "llama3_2", "qwen2_5", "mistral_v0_1", "gemma2", "phi3_mini",
            "bert_base_uncased", "t5_small", "falcon"})
    void offsets(String family) throws IOException {
        run(family, (tok, g, text) -> {
            String a = offs(tok.encode(text, true).offsets());
            String b = offs(tok.encode(text, false).offsets());
            if (!offs(g.get("offsets")).equals(a)) {
                return "offsets " + a + " expected " + offs(g.get("offsets"));
            }
            if (!offs(g.get("offsets_no_special")).equals(b)) {
                return "offsets_no_special " + b + " expected " + offs(g.get("offsets_no_special"));
            }
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama2", "llama3_2", "qwen2_5", "mistral_v0_1", "gemma2", "phi3_mini",
            "bert_base_uncased", "t5_small", "falcon"})
    void decode(String family) throws IOException {
        run(family, (tok, g, text) -> {
            int[] ids = ints(g.get("ids"));
            String a = tok.decode(ids, false);
            String b = tok.decode(ids, true);
            if (!g.get("decoded").asText().equals(a)) {
                return "decoded " + OM.valueToTree(a) + " expected " + g.get("decoded");
            }
            if (!g.get("decoded_skip_special").asText().equals(b)) {
                return "decoded_skip_special " + OM.valueToTree(b) + " expected " + g.get("decoded_skip_special");
            }
            return null;
        });
    }
}
