package dev.tune4j.tokenizers.template;

import java.util.List;

/**
 * A rendered chat plus where each {@code {% generation %}} block put its text, as transformers'
 * {@code render_jinja_template(..., return_assistant_tokens_mask=True)} reports it (its
 * {@code generation_indices}); TRL turns these spans into the assistant-only loss mask.
 *
 * @param text the rendered prompt, identical to {@link ChatTemplate#render}
 * @param generationIndices one span per executed generation block, in rendering order
 */
public record RenderedChat(String text, List<Span> generationIndices) {

    public RenderedChat {
        generationIndices = List.copyOf(generationIndices);
    }

    /**
     * Half-open range {@code [start, end)} of a generation block's output, counted in Unicode
     * code points like Python string indices (not UTF-16 units; convert with
     * {@code text.offsetByCodePoints(0, start)}). As in transformers, {@code start} is the length
     * of the top-level output rendered so far, so a block inside a macro or a {@code set} block
     * reports where the top-level output stood when the block ran.
     */
    public record Span(int start, int end) {}
}
