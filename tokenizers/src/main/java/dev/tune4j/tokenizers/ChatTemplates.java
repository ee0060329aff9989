package dev.tune4j.tokenizers;

import dev.tune4j.tokenizers.template.ChatTemplate;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders chat templates with the module's Jinja2 interpreter ({@link ChatTemplate}); compiled
 * templates are cached per source.
 */
final class ChatTemplates {
    private static final Map<String, ChatTemplate> COMPILED = new ConcurrentHashMap<>();

    private ChatTemplates() {}

    /** Renders {@code source} with {@code context}; {@code strftime_now} reads {@code clock}. */
    static String render(String source, Map<String, Object> context, Clock clock) {
        ChatTemplate compiled = COMPILED.get(source);
        if (compiled == null) {
            compiled = ChatTemplate.compile(source);
            if (COMPILED.size() < 64) {
                COMPILED.put(source, compiled);
            }
        }
        return compiled.render(context, clock);
    }
}
