package dev.tune4j.tokenizers.template;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rendering half of transformers' {@code apply_chat_template(messages, tokenize=False, ...)}.
 *
 * <p>Builds the context transformers passes: {@code messages}, {@code add_generation_prompt},
 * {@code tools=None}, {@code documents=None}, then the caller's variables (special tokens such as
 * {@code bos_token} and {@code eos_token}, or template kwargs like {@code tools}), which override
 * the defaults.
 */
public final class ChatTemplates {
    private ChatTemplates() {}

    /**
     * Compiles and renders {@code template} once. Prefer {@link ChatTemplate#compile} plus
     * {@link #context} when rendering the same template repeatedly.
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

    /** The variables {@code apply_chat_template} renders with. */
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
}
