package dev.tune4j.tokenizers;

import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;

/**
 * The reference Rust implementation (tokenizers 0.21 through DJL's JNI binding), built directly
 * from the tokenizer.json text like Python's {@code Tokenizer.from_str} — not DJL's
 * HuggingFaceTokenizer wrapper, which changes truncation, padding and decoding. The native library
 * ships inside the DJL jar and is extracted to ~/.djl.ai; no network is needed.
 */
final class ReferenceTokenizer implements AutoCloseable {
    /** One encoding from the reference. */
    record Result(long[] ids, String[] tokens, int[][] offsets) {}

    private static final TokenizersLibrary LIB;

    static {
        LibUtils.checkStatus();
        LIB = TokenizersLibrary.LIB;
    }

    private long handle;

    ReferenceTokenizer(String json) {
        handle = LIB.createTokenizerFromString(json);
    }

    Result encode(String text, boolean addSpecialTokens) {
        long e = LIB.encode(handle, text, addSpecialTokens);
        try {
            CharSpan[] spans = LIB.getTokenCharSpans(e);
            int[][] offs = new int[spans.length][];
            for (int i = 0; i < spans.length; i++) {
                offs[i] = spans[i] == null ? new int[] {0, 0} : new int[] {spans[i].getStart(), spans[i].getEnd()};
            }
            return new Result(LIB.getTokenIds(e), LIB.getTokens(e), offs);
        } finally {
            LIB.deleteEncoding(e);
        }
    }

    String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return LIB.decode(handle, l, skipSpecialTokens);
    }

    long[] encodeBatchIds(String[] texts, boolean addSpecialTokens) {
        long[] encs = LIB.batchEncode(handle, texts, addSpecialTokens);
        long total = 0;
        for (long e : encs) {
            total += LIB.getTokenIds(e).length;
            LIB.deleteEncoding(e);
        }
        return new long[] {total};
    }

    @Override
    public void close() {
        if (handle != 0) {
            LIB.deleteTokenizer(handle);
            handle = 0;
        }
    }
}
