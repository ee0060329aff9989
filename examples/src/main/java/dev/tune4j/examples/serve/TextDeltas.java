package dev.tune4j.examples.serve;

import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.util.Arrays;

/**
 * Turns a growing list of token ids into text pieces for streaming: each piece is what the full
 * decode gained since the last one, held back while it ends inside a multi-byte character
 * (a trailing U+FFFD), so the pieces concatenate to the decode of the whole output.
 */
final class TextDeltas {
    private final PretrainedTokenizer tokenizer;
    private int[] ids = new int[16];
    private int n;
    private String sent = "";

    TextDeltas(PretrainedTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The new text after {@code token}, possibly empty. */
    String add(int token) {
        if (n == ids.length) {
            ids = Arrays.copyOf(ids, n * 2);
        }
        ids[n++] = token;
        String text = decode();
        if (text.endsWith("\uFFFD") || !text.startsWith(sent)) {
            return "";
        }
        String delta = text.substring(sent.length());
        sent = text;
        return delta;
    }

    /** What remains to send once generation ended. */
    String finish() {
        String text = decode();
        String delta = text.startsWith(sent) ? text.substring(sent.length()) : "";
        sent = text;
        return delta;
    }

    private String decode() {
        return tokenizer == null ? "" : tokenizer.decode(Arrays.copyOf(ids, n), true);
    }
}
