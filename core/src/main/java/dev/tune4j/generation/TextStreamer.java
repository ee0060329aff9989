package dev.tune4j.generation;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Streams generated text word by word; transformers' {@code TextStreamer}, for one row.
 *
 * <pre>{@code
 * // transformers: streamer = TextStreamer(tokenizer, skip_special_tokens=True); model.generate(..., streamer=streamer)
 * var streamer = new TextStreamer(ids -> tokenizer.decode(ids, true), System.out::print);
 * Generator.generate(decoder, ids, mask, config, streamer);
 * }</pre>
 *
 * <p>Tokens are decoded together (a word can span several tokens, and a UTF-8 character several
 * byte tokens), and text is released with transformers' rule: everything up to a newline, the
 * whole text when it ends in a CJK character, otherwise up to the last space, so that no half word
 * is printed. {@link #end()} releases the rest. The prompt is never passed to a
 * {@link TokenStreamer}, so there is no {@code skip_prompt}.
 */
public class TextStreamer implements TokenStreamer {
    private final Function<int[], String> decode;
    private final Consumer<String> sink;
    private int[] cache = new int[0];
    private int printed;

    /**
     * @param decode token ids to text (e.g. {@code ids -> tokenizer.decode(ids, true)})
     * @param sink   receives each finished piece of text, in order (e.g. {@code System.out::print})
     */
    public TextStreamer(Function<int[], String> decode, Consumer<String> sink) {
        this.decode = Objects.requireNonNull(decode, "decode");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void put(int row, int tokenId) {
        if (row != 0) {
            throw new IllegalStateException("TextStreamer only supports batch size 1; got a token for row " + row);
        }
        cache = Arrays.copyOf(cache, cache.length + 1);
        cache[cache.length - 1] = tokenId;
        String text = decode.apply(cache.clone());
        String piece;
        if (text.endsWith("\n")) {
            piece = text.substring(Math.min(printed, text.length()));
            cache = new int[0];
            printed = 0;
        } else if (!text.isEmpty() && isCjk(text.codePointBefore(text.length()))) {
            piece = text.substring(Math.min(printed, text.length()));
            printed += piece.length();
        } else {
            int end = text.lastIndexOf(' ') + 1;
            piece = end > printed ? text.substring(printed, end) : "";
            printed += piece.length();
        }
        emit(piece, false);
    }

    @Override
    public void end() {
        String piece = "";
        if (cache.length > 0) {
            String text = decode.apply(cache.clone());
            piece = text.substring(Math.min(printed, text.length()));
        }
        cache = new int[0];
        printed = 0;
        emit(piece, true);
    }

    /**
     * Hands a piece of text to the sink; override to react to the end of the stream (transformers'
     * {@code on_finalized_text}). Empty pieces are dropped.
     */
    protected void emit(String text, boolean streamEnd) {
        if (!text.isEmpty()) {
            sink.accept(text);
        }
    }

    /** The CJK Unified Ideographs blocks, as transformers' {@code _is_chinese_char}. */
    private static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
