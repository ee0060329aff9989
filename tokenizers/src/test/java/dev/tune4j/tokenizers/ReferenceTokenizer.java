package dev.tune4j.tokenizers;

import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference Rust implementation (tokenizers 0.21 through DJL's JNI binding), built directly
 * from the tokenizer.json text like Python's {@code Tokenizer.from_str} — not DJL's
 * HuggingFaceTokenizer wrapper, which changes truncation, padding and decoding. The native library
 * ships inside the DJL jar and is extracted to ~/.djl.ai; no network is needed.
 */
final class ReferenceTokenizer implements AutoCloseable {
    /** One encoding from the reference. */
    record Result(long[] ids, String[] tokens, int[][] offsets) {}

    /** Everything but offsets of an encoding, with its overflowing windows. */
    record Full(long[] ids, long[] typeIds, long[] attentionMask, long[] specialTokensMask, List<Full> overflowing) {}

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

    void setTruncation(int maxLength, String strategy, int stride) {
        LIB.setTruncation(handle, maxLength, strategy, stride);
    }

    void setPadding(int maxLength, String strategy, String padToken, int padId, int padToMultipleOf) {
        LIB.setPaddingWithTokenAndId(handle, maxLength, strategy, padToken, padId, padToMultipleOf);
    }

    private static Full full(long e) {
        List<Full> over = new ArrayList<>();
        for (long o : LIB.getOverflowing(e)) {
            over.add(full(o));
            LIB.deleteEncoding(o);
        }
        return new Full(LIB.getTokenIds(e), LIB.getTypeIds(e), LIB.getAttentionMask(e), LIB.getSpecialTokenMask(e), over);
    }

    Full encodePair(String a, String b, boolean addSpecialTokens) {
        long e = b == null ? LIB.encode(handle, a, addSpecialTokens) : LIB.encodeDual(handle, a, b, addSpecialTokens);
        try {
            return full(e);
        } finally {
            LIB.deleteEncoding(e);
        }
    }

    List<Full> encodePairBatch(String[] a, String[] b, boolean addSpecialTokens) {
        long[] encs = LIB.batchEncodePair(handle, a, b, addSpecialTokens);
        List<Full> out = new ArrayList<>();
        for (long e : encs) {
            out.add(full(e));
            LIB.deleteEncoding(e);
        }
        return out;
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
