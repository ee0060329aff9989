package dev.tune4j.tokenizers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The result of encoding one text or pair, as Python's {@code tokenizers.Encoding}.
 *
 * <p>Offsets are {@code [start, end)} in Unicode code points of the input (Python {@code str}
 * indices), not Java {@code char} indices; convert with {@code text.offsetByCodePoints(0, n)}.
 * Tokens added by the post-processor have {@code [0, 0]}.
 */
public final class Encoding {
    int[] ids;
    int[] typeIds;
    String[] tokens;
    /** Word index per token, -1 for none. */
    int[] words;
    /** Start and end of token i at 2i and 2i+1 (one flat array: millions of tokens are common). */
    int[] offsets;
    int[] specialTokensMask;
    int[] attentionMask;
    /** Sequence index per token (0, 1), -1 for none. */
    int[] sequenceIds;
    List<Encoding> overflowing = new ArrayList<>();

    Encoding(int n) {
        ids = new int[n];
        typeIds = new int[n];
        tokens = new String[n];
        words = new int[n];
        offsets = new int[2 * n];
        specialTokensMask = new int[n];
        attentionMask = new int[n];
        sequenceIds = new int[n];
        Arrays.fill(attentionMask, 1);
        Arrays.fill(words, -1);
        Arrays.fill(sequenceIds, -1);
    }

    /** Token ids ({@code input_ids}). */
    public int[] ids() {
        return ids.clone();
    }

    /** Token strings as found in the vocabulary (e.g. {@code Ġworld}, {@code ▁Hello}, {@code ##nan}). */
    public String[] tokens() {
        return tokens.clone();
    }

    /** {@code [start, end)} per token, in code points of the input. */
    public int[][] offsets() {
        int[][] o = new int[ids.length][];
        for (int i = 0; i < o.length; i++) o[i] = new int[] {offsets[2 * i], offsets[2 * i + 1]};
        return o;
    }

    /** 1 for real tokens, 0 for padding. */
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    /** 1 for special tokens (added by the post-processor, padding, or special added tokens), else 0. */
    public int[] specialTokensMask() {
        return specialTokensMask.clone();
    }

    /** Segment ids ({@code token_type_ids}). */
    public int[] typeIds() {
        return typeIds.clone();
    }

    /** Word index of each token, or -1 (Python {@code word_ids}, None shown as -1). */
    public int[] wordIds() {
        return words.clone();
    }

    /** Which input sequence (0 or 1) each token comes from, or -1 (Python {@code sequence_ids}). */
    public int[] sequenceIds() {
        return sequenceIds.clone();
    }

    /** Windows cut off by truncation, each a full encoding. */
    public List<Encoding> overflowing() {
        return List.copyOf(overflowing);
    }

    /** Number of tokens. */
    public int length() {
        return ids.length;
    }

    Encoding copy() {
        Encoding e = new Encoding(0);
        e.ids = ids.clone();
        e.typeIds = typeIds.clone();
        e.tokens = tokens.clone();
        e.words = words.clone();
        e.offsets = offsets.clone();
        e.specialTokensMask = specialTokensMask.clone();
        e.attentionMask = attentionMask.clone();
        e.sequenceIds = sequenceIds.clone();
        for (Encoding o : overflowing) e.overflowing.add(o.copy());
        return e;
    }

    Encoding range(int start, int stop) {
        Encoding e = new Encoding(0);
        e.ids = Arrays.copyOfRange(ids, start, stop);
        e.typeIds = Arrays.copyOfRange(typeIds, start, stop);
        e.tokens = Arrays.copyOfRange(tokens, start, stop);
        e.words = Arrays.copyOfRange(words, start, stop);
        e.offsets = Arrays.copyOfRange(offsets, 2 * start, 2 * stop);
        e.specialTokensMask = Arrays.copyOfRange(specialTokensMask, start, stop);
        e.attentionMask = Arrays.copyOfRange(attentionMask, start, stop);
        e.sequenceIds = Arrays.copyOfRange(sequenceIds, start, stop);
        return e;
    }

    void setTypeIds(int t) {
        Arrays.fill(typeIds, t);
    }

    void setSequenceId(int s) {
        Arrays.fill(sequenceIds, s);
    }

    /** Appends {@code pair}, combining overflowing windows as the reference does. */
    void mergeWith(Encoding pair) {
        List<Encoding> over = new ArrayList<>();
        for (Encoding so : overflowing) {
            Encoding n = so.copy();
            n.mergeWith(pair.copy());
            over.add(n);
            for (Encoding po : pair.overflowing) {
                Encoding m = so.copy();
                m.mergeWith(po.copy());
                over.add(m);
            }
        }
        for (Encoding po : pair.overflowing) {
            Encoding n = copy(); // keeps its own overflowing windows, as the reference's clone does
            n.mergeWith(po.copy());
            over.add(n);
        }
        ids = concat(ids, pair.ids);
        typeIds = concat(typeIds, pair.typeIds);
        words = concat(words, pair.words);
        specialTokensMask = concat(specialTokensMask, pair.specialTokensMask);
        attentionMask = concat(attentionMask, pair.attentionMask);
        sequenceIds = concat(sequenceIds, pair.sequenceIds);
        String[] t = Arrays.copyOf(tokens, tokens.length + pair.tokens.length);
        System.arraycopy(pair.tokens, 0, t, tokens.length, pair.tokens.length);
        tokens = t;
        offsets = concat(offsets, pair.offsets);
        overflowing = over;
    }

    static Encoding merge(List<Encoding> encodings) {
        if (encodings.isEmpty()) {
            return new Encoding(0);
        }
        Encoding e = encodings.get(0);
        for (int i = 1; i < encodings.size(); i++) e.mergeWith(encodings.get(i));
        return e;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** Cuts to {@code maxLen} tokens, keeping the rest as overflowing windows of stride {@code stride}. */
    void truncate(int maxLen, int stride, boolean left) {
        int len = ids.length;
        if (maxLen >= len) {
            return;
        }
        if (maxLen == 0) {
            Encoding o = copy();
            Encoding empty = new Encoding(0);
            empty.overflowing = new ArrayList<>(overflowing);
            empty.overflowing.add(o);
            adopt(empty);
            return;
        }
        if (stride >= maxLen) {
            throw new TokenizerException("truncation: stride (" + stride + ") must be strictly less than max_length ("
                    + maxLen + ", after removing the special tokens)");
        }
        int offset = maxLen - stride;
        List<int[]> parts = new ArrayList<>();
        boolean end = false;
        if (!left) {
            for (int start = 0; start < len && !end; start += offset) {
                int stop = Math.min(start + maxLen, len);
                end = stop == len;
                parts.add(new int[] {start, stop});
            }
        } else {
            for (int s = len - 1; s >= 0 && !end; s -= offset) {
                int stop = s + 1;
                int start = stop < maxLen ? 0 : stop - maxLen;
                if (start < stop) {
                    end = start == 0;
                    parts.add(new int[] {start, stop});
                }
            }
        }
        Encoding first = range(parts.get(0)[0], parts.get(0)[1]);
        for (int i = 1; i < parts.size(); i++) first.overflowing.add(range(parts.get(i)[0], parts.get(i)[1]));
        adopt(first);
    }

    private void adopt(Encoding e) {
        ids = e.ids;
        typeIds = e.typeIds;
        tokens = e.tokens;
        words = e.words;
        offsets = e.offsets;
        specialTokensMask = e.specialTokensMask;
        attentionMask = e.attentionMask;
        sequenceIds = e.sequenceIds;
        overflowing = e.overflowing;
    }

    /** Pads to {@code target} tokens (and the overflowing windows too). */
    void pad(int target, int padId, int padTypeId, String padToken, boolean left) {
        for (Encoding o : overflowing) o.pad(target, padId, padTypeId, padToken, left);
        int len = ids.length;
        if (len >= target) {
            return;
        }
        int p = target - len;
        ids = padArr(ids, p, padId, left);
        typeIds = padArr(typeIds, p, padTypeId, left);
        words = padArr(words, p, -1, left);
        attentionMask = padArr(attentionMask, p, 0, left);
        specialTokensMask = padArr(specialTokensMask, p, 1, left);
        sequenceIds = padArr(sequenceIds, p, -1, left);
        String[] t = new String[target];
        int[] o = new int[2 * target];
        for (int i = 0; i < target; i++) {
            int src = left ? i - p : i;
            boolean pad = left ? i < p : i >= len;
            t[i] = pad ? padToken : tokens[src];
            if (!pad) {
                o[2 * i] = offsets[2 * src];
                o[2 * i + 1] = offsets[2 * src + 1];
            }
        }
        tokens = t;
        offsets = o;
    }

    private static int[] padArr(int[] a, int p, int v, boolean left) {
        int[] r = new int[a.length + p];
        if (left) {
            Arrays.fill(r, 0, p, v);
            System.arraycopy(a, 0, r, p, a.length);
        } else {
            System.arraycopy(a, 0, r, 0, a.length);
            Arrays.fill(r, a.length, r.length, v);
        }
        return r;
    }

    @Override
    public String toString() {
        return "Encoding(ids=" + Arrays.toString(ids) + ", tokens=" + Arrays.toString(tokens) + ")";
    }
}
