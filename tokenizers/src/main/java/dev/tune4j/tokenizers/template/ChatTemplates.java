package dev.tune4j.tokenizers.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rendering half of transformers' {@code apply_chat_template(messages, tokenize=False, ...)},
 * plus the two pieces of {@code tokenizer_config.json} it needs.
 *
 * <pre>{@code
 * // Python: tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
 * JsonNode config = new ObjectMapper().readTree(dir.resolve("tokenizer_config.json").toFile());
 * ChatTemplate template = ChatTemplate.compile(ChatTemplates.templates(config).get("default"));
 * String prompt = template.render(ChatTemplates.context(messages, true, ChatTemplates.specialTokens(config)));
 * }</pre>
 */
public final class ChatTemplates {
    private static final List<String> SPECIAL_TOKEN_KEYS = List.of("bos_token", "eos_token", "unk_token", "sep_token",
            "pad_token", "cls_token", "mask_token");

    private ChatTemplates() {}

    /**
     * Compiles and renders {@code template} once with the context {@link #context} builds. Prefer
     * {@link ChatTemplate#compile} plus {@link #context} when rendering the same template repeatedly.
     */
    public static String render(String template, List<? extends Map<String, ?>> messages,
            boolean addGenerationPrompt, Map<String, ?> variables) {
        return ChatTemplate.compile(template).render(context(messages, addGenerationPrompt, variables));
    }

    /** As {@link #render(String, List, boolean, Map)}, with the clock {@code strftime_now} reads. */
    public static String render(String template, List<? extends Map<String, ?>> messages,
            boolean addGenerationPrompt, Map<String, ?> variables, Clock clock) {
        return ChatTemplate.compile(template).render(context(messages, addGenerationPrompt, variables), clock);
    }

    /**
     * The variables {@code apply_chat_template} renders with: {@code messages},
     * {@code add_generation_prompt}, {@code tools=None}, {@code documents=None}, then
     * {@code variables} (special tokens, {@code tools}, template kwargs such as
     * {@code enable_thinking}), which override those defaults.
     */
    public static Map<String, Object> context(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
            Map<String, ?> variables) {
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("messages", messages);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.put("tools", null);
        ctx.put("documents", null);
        if (variables != null) {
            ctx.putAll(variables);
        }
        return ctx;
    }

    /**
     * The special-token variables transformers passes to templates, read from
     * {@code tokenizer_config.json}: each of {@code bos_token, eos_token, unk_token, sep_token,
     * pad_token, cls_token, mask_token} that is set, as a plain string ({@code {"content": ...}}
     * objects reduced to their content), and {@code additional_special_tokens} as a list of strings.
     */
    public static Map<String, Object> specialTokens(JsonNode tokenizerConfig) {
        Map<String, Object> vars = new LinkedHashMap<>();
        for (String key : SPECIAL_TOKEN_KEYS) {
            JsonNode v = tokenizerConfig.get(key);
            if (v != null && !v.isNull()) {
                vars.put(key, tokenContent(v, key));
            }
        }
        JsonNode extra = tokenizerConfig.get("additional_special_tokens");
        if (extra != null && extra.isArray()) {
            List<String> tokens = new ArrayList<>();
            extra.forEach(t -> tokens.add(tokenContent(t, "additional_special_tokens")));
            vars.put("additional_special_tokens", tokens);
        }
        return vars;
    }

    private static String tokenContent(JsonNode v, String key) {
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isObject() && v.path("content").isTextual()) {
            return v.get("content").textValue();
        }
        throw new IllegalArgumentException("tokenizer_config.json: '" + key
                + "' must be a string or an object with a string 'content', found " + v);
    }

    /**
     * The chat templates declared by {@code tokenizer_config.json}'s {@code chat_template}, by name:
     * a single string is named {@code "default"}; a list of {@code {"name", "template"}} objects (as
     * Command-R ships: default, tool_use, rag) keeps its names. Empty when the key is absent.
     */
    public static Map<String, String> templates(JsonNode tokenizerConfig) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode t = tokenizerConfig.get("chat_template");
        if (t == null || t.isNull()) {
            return out;
        }
        if (t.isTextual()) {
            out.put("default", t.textValue());
            return out;
        }
        if (t.isArray()) {
            for (JsonNode entry : t) {
                if (!entry.path("name").isTextual() || !entry.path("template").isTextual()) {
                    throw new IllegalArgumentException("tokenizer_config.json: each 'chat_template' entry needs string "
                            + "'name' and 'template', found " + entry);
                }
                out.put(entry.get("name").textValue(), entry.get("template").textValue());
            }
            return out;
        }
        throw new IllegalArgumentException("tokenizer_config.json: 'chat_template' must be a string or a list of "
                + "{name, template} objects, found " + t.getNodeType());
    }
}
