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

    /** Appended to the final message so that its end can be found in the rendered text (transformers' tag). */
    private static final String CONTINUE_TAG = "CONTINUE_FINAL_MESSAGE_TAG ";

    /**
     * Renders a chat whose last message the model should continue rather than answer: the prompt
     * ends right after that message's text, without the end-of-turn tokens the template would add.
     * Python: {@code apply_chat_template(messages, tokenize=False, continue_final_message=True)}
     * ({@code field = "content"}), or {@code continue_final_message="reasoning_content"} for another
     * field. Uses transformers' algorithm: append a marker to the final text, render with
     * {@code add_generation_prompt=False}, cut at the marker (and strip trailing whitespace if the
     * template ate the marker's space).
     *
     * @throws IllegalArgumentException when the final message lacks {@code field}, the template never
     *     mentions {@code field}, or the template does not reproduce the final text
     */
    public static String renderContinuingFinalMessage(ChatTemplate template, List<? extends Map<String, ?>> messages,
            String field, Map<String, ?> variables, Clock clock) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("continue_final_message needs at least one message");
        }
        @SuppressWarnings("unchecked")
        List<Object> chat = (List<Object>) Py.fromJava(messages);
        @SuppressWarnings("unchecked")
        Map<Object, Object> last = (Map<Object, Object>) chat.get(chat.size() - 1);
        Object finalValue = last.get(field);
        if (finalValue == null) {
            throw new IllegalArgumentException("continue_final_message is set but the final message has no \""
                    + field + "\" to continue!");
        }
        if (!template.source().contains(field)) {
            throw new IllegalArgumentException("continue_final_message is set to \"" + field
                    + "\" but this is not an accepted field in the chat_template");
        }
        String finalText = null;
        if (finalValue instanceof List<?> blocks) {
            for (int i = blocks.size() - 1; i >= 0 && finalText == null; i--) {
                if (blocks.get(i) instanceof Map<?, ?> block && block.containsKey("text")) {
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> b = (Map<Object, Object>) block;
                    finalText = Py.str(b.get("text"));
                    b.put("text", finalText + CONTINUE_TAG);
                }
            }
            if (finalText == null) {
                throw new IllegalArgumentException(
                        "continue_final_message is set but we could not find any text to continue in the final message!");
            }
        } else if (finalValue instanceof String s) {
            finalText = s;
            last.put(field, s + CONTINUE_TAG);
        } else {
            throw new IllegalArgumentException("continue_final_message: the final message's \"" + field
                    + "\" must be a string or a list of content blocks, found " + Py.typeName(finalValue));
        }
        Map<String, Object> ctx = new HashMap<>(context(List.of(), false, variables));
        ctx.put("messages", chat);
        String rendered = template.render(ctx, clock);
        String marker = PyStr.strip(CONTINUE_TAG, null);
        if (!rendered.contains(PyStr.strip(finalText, null)) || !rendered.contains(marker)) {
            throw new IllegalArgumentException("continue_final_message is set but the final message does not appear in "
                    + "the chat after applying the chat template! This can happen if the chat template deletes portions "
                    + "of the final message. Final message to continue: " + PyStr.strip(finalText, null));
        }
        int at = rendered.lastIndexOf(marker);
        if (rendered.startsWith(CONTINUE_TAG, at)) {
            return rendered.substring(0, at);
        }
        return PyStr.rstrip(rendered.substring(0, at), null);
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
     * Picks the template source as transformers' {@code get_chat_template(chat_template, tools)}:
     * a {@code requested} name found in {@code templates} selects it, any other non-null
     * {@code requested} is itself the template source; with no request, {@code "tool_use"} is used
     * when tools are passed and present, else {@code "default"}.
     *
     * @param templates the model's templates, as {@link #templates(JsonNode)} returns them
     * @param requested a template name or source, or null for the model's own choice
     * @param withTools whether the render passes {@code tools}
     * @throws IllegalArgumentException when the model has no template, or several and no default
     */
    public static String choose(Map<String, String> templates, String requested, boolean withTools) {
        if (requested != null) {
            return templates.getOrDefault(requested, requested);
        }
        if (withTools && templates.containsKey("tool_use")) {
            return templates.get("tool_use");
        }
        if (templates.containsKey("default")) {
            return templates.get("default");
        }
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("Cannot use chat template functions because tokenizer.chat_template is "
                    + "not set and no template argument was passed!");
        }
        throw new IllegalArgumentException("This model has multiple chat templates with no default specified! "
                + "Available template names are " + new java.util.TreeSet<>(templates.keySet()) + ".");
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
