package dev.tune4j.tokenizers.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading templates and special tokens from tokenizer_config.json, and Jackson values as context. */
class ChatTemplatesConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void specialTokensReduceAddedTokenObjectsToContent() throws Exception {
        JsonNode config = JSON.readTree("""
                {"bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false},
                 "eos_token": "</s>", "unk_token": null, "pad_token": "<pad>", "model_max_length": 4096,
                 "additional_special_tokens": ["<a>", {"content": "<b>"}]}""");
        assertEquals(Map.of("bos_token", "<s>", "eos_token", "</s>", "pad_token", "<pad>",
                "additional_special_tokens", List.of("<a>", "<b>")), ChatTemplates.specialTokens(config));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplates.specialTokens(JSON.readTree("{\"eos_token\": 5}")));
        assertTrue(e.getMessage().contains("'eos_token'"), e.getMessage());
    }

    @Test
    void namedTemplateListsKeepTheirNames() throws Exception {
        JsonNode config = JSON.readTree("""
                {"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}]}""");
        assertEquals(Map.of("default", "D", "tool_use", "T"), ChatTemplates.templates(config));
        assertEquals(Map.of("default", "X"), ChatTemplates.templates(JSON.readTree("{\"chat_template\": \"X\"}")));
        assertTrue(ChatTemplates.templates(JSON.readTree("{}")).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ChatTemplates.templates(JSON.readTree("{\"chat_template\": 3}")));
    }

    @Test
    void choosesTemplatesLikeGetChatTemplate() {
        Map<String, String> named = Map.of("default", "D", "tool_use", "T", "rag", "R");
        assertEquals("D", ChatTemplates.choose(named, null, false));
        assertEquals("T", ChatTemplates.choose(named, null, true));
        assertEquals("R", ChatTemplates.choose(named, "rag", true));
        assertEquals("{{ 1 }}", ChatTemplates.choose(named, "{{ 1 }}", false));
        assertEquals("D", ChatTemplates.choose(Map.of("default", "D"), null, true));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplates.choose(Map.of(), null, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplates.choose(Map.of("a", "A", "b", "B"), null, false));
        assertTrue(e.getMessage().contains("[a, b]"), e.getMessage());
    }

    @Test
    void jacksonTreesWorkAsContextValues() throws Exception {
        JsonNode tools = JSON.readTree("""
                [{"type": "function", "function": {"name": "f", "parameters": {"x": 1.5, "n": 2, "ok": true, "z": null}}}]""");
        String out = ChatTemplate.compile("{{ tools[0].function.name }} {{ tools[0].function.parameters|tojson }}")
                .render(Map.of("tools", tools));
        assertEquals("f {\"x\": 1.5, \"n\": 2, \"ok\": true, \"z\": null}", out);
    }
}
