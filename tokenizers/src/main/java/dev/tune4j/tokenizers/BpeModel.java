package dev.tune4j.tokenizers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding, as the reference {@code models::bpe::BPE}: merges are applied by rank with a
 * binary heap over a linked list of symbols, the merge table is keyed on the pair of ids, and
 * finished words are cached (capacity 10,000 words, like the reference).
 */
final class BpeModel implements Model {
    private static final int CACHE_CAPACITY = 10_000;
    private static final int CACHE_MAX_UNITS = 256;
    private static final long NONE = -1L;

    final Map<String, Integer> vocab;
    final String[] vocabR;
    /** (id_a << 32 | id_b) -> (rank << 32 | new_id). */
    final LongLongMap merges;
    /** Merge list as given, for saving. */
    final List<String[]> mergeList;
    final String unkToken;
    final String continuingSubwordPrefix;
    final String endOfWordSuffix;
    final boolean fuseUnk;
    final boolean byteFallback;
    final boolean ignoreMerges;
    final Double dropout;
    private final int[] rankNewId;
    private final int[] byteFallbackIds = new int[256];
    /** Id of each BMP character as a single-character token, when no prefix/suffix applies; -1 if none. */
    private final int[] charIds;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    BpeModel(Map<String, Integer> vocab, List<String[]> mergeList, String unkToken, String continuingSubwordPrefix,
             String endOfWordSuffix, boolean fuseUnk, boolean byteFallback, boolean ignoreMerges, Double dropout,
             String where) {
        this.vocab = vocab;
        this.mergeList = mergeList;
        this.unkToken = unkToken;
        this.continuingSubwordPrefix = continuingSubwordPrefix;
        this.endOfWordSuffix = endOfWordSuffix;
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        this.dropout = dropout;
        int max = -1;
        for (int id : vocab.values()) max = Math.max(max, id);
        vocabR = new String[max + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) vocabR[e.getValue()] = e.getKey();
        merges = new LongLongMap(mergeList.size());
        rankNewId = new int[mergeList.size()];
        int prefixLen = continuingSubwordPrefix == null ? 0 : continuingSubwordPrefix.length();
        for (int i = 0; i < mergeList.size(); i++) {
            String a = mergeList.get(i)[0];
            String b = mergeList.get(i)[1];
            Integer ia = vocab.get(a);
            Integer ib = vocab.get(b);
            if (ia == null || ib == null) {
                throw new TokenizerException(where + ".merges[" + i + "]: token \"" + (ia == null ? a : b)
                        + "\" of merge \"" + a + " " + b + "\" is not in the vocabulary");
            }
            String merged = a + (prefixLen <= b.length() ? b.substring(prefixLen) : "");
            Integer in = vocab.get(merged);
            if (in == null) {
                throw new TokenizerException(where + ".merges[" + i + "]: merged token \"" + merged
                        + "\" is not in the vocabulary");
            }
            merges.put(((long) ia << 32) | (ib & 0xFFFFFFFFL), ((long) i << 32) | in);
            rankNewId[i] = in;
        }
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.format("<0x%02X>", b));
            byteFallbackIds[b] = id == null ? -1 : id;
        }
        boolean plain = (continuingSubwordPrefix == null || continuingSubwordPrefix.isEmpty())
                && (endOfWordSuffix == null || endOfWordSuffix.isEmpty());
        if (plain) {
            charIds = new int[0x10000];
            Arrays.fill(charIds, -1);
            for (Map.Entry<String, Integer> e : vocab.entrySet()) {
                String k = e.getKey();
                if (k.length() == 1 && !Character.isSurrogate(k.charAt(0))) {
                    charIds[k.charAt(0)] = e.getValue();
                }
            }
        } else {
            charIds = null;
        }
    }

    @Override
    public List<Token> tokenize(String word) {
        if (word.isEmpty()) {
            return List.of();
        }
        if (ignoreMerges) {
            Integer id = vocab.get(word);
            if (id != null) {
                return List.of(new Token(id, word, 0, word.length()));
            }
        }
        int[] packed = cache.get(word);
        if (packed == null) {
            packed = mergeWord(word);
            if (word.length() < CACHE_MAX_UNITS && cache.size() < CACHE_CAPACITY) {
                cache.put(word, packed);
            }
        }
        List<Token> out = new ArrayList<>(packed.length / 3);
        for (int i = 0; i < packed.length; i += 3) {
            out.add(new Token(packed[i], vocabR[packed[i]], packed[i + 1], packed[i + 2]));
        }
        return out;
    }

    /** Ids only, without building Token objects; {@code out} receives (id, start, end) triples. */
    int[] tokenizePacked(String word) {
        if (word.isEmpty()) {
            return new int[0];
        }
        if (ignoreMerges) {
            Integer id = vocab.get(word);
            if (id != null) {
                return new int[] {id, 0, word.length()};
            }
        }
        int[] packed = cache.get(word);
        if (packed == null) {
            packed = mergeWord(word);
            if (word.length() < CACHE_MAX_UNITS && cache.size() < CACHE_CAPACITY) {
                cache.put(word, packed);
            }
        }
        return packed;
    }

    private int lookupChar(String w, int i, int l, boolean first, boolean last) {
        if (charIds != null && l == 1) {
            return charIds[w.charAt(i)];
        }
        String s = w.substring(i, i + l);
        if (!first && continuingSubwordPrefix != null) {
            s = continuingSubwordPrefix + s;
        }
        if (last && endOfWordSuffix != null) {
            s = s + endOfWordSuffix;
        }
        Integer id = vocab.get(s);
        return id == null ? -1 : id;
    }

    /** Builds the symbols of {@code w} and applies all merges; returns (id, start, end) triples. */
    int[] mergeWord(String w) {
        int n = w.length();
        // Each symbol covers at least one UTF-8 byte: this bounds the symbol count.
        int[] c = new int[Chars.utf8Len(w) + 1];
        int[] st = new int[c.length];
        int[] en = new int[c.length];
        int[] bl = new int[c.length];
        boolean skipped = false;
        int count = 0;
        int unkId = -1;
        int unkBytes = 0;
        int unkStart = 0;
        int unkEnd = 0;
        boolean haveUnk = false;
        for (int i = 0; i < n; ) {
            int cp = w.codePointAt(i);
            int l = Character.charCount(cp);
            boolean first = i == 0;
            boolean last = i + l >= n;
            int id = lookupChar(w, i, l, first, last);
            int cb = Chars.utf8Len(cp);
            if (id >= 0) {
                if (haveUnk) {
                    c[count] = unkId;
                    st[count] = unkStart;
                    bl[count] = unkBytes;
                    en[count++] = unkEnd;
                    haveUnk = false;
                }
                c[count] = id;
                st[count] = i;
                bl[count] = cb;
                en[count++] = i + l;
            } else {
                boolean done = false;
                if (byteFallback) {
                    String s = w.substring(i, i + l);
                    if (!first && continuingSubwordPrefix != null) s = continuingSubwordPrefix + s;
                    if (last && endOfWordSuffix != null) s = s + endOfWordSuffix;
                    byte[] bytes = Chars.utf8(s);
                    boolean all = true;
                    for (byte b : bytes) {
                        if (byteFallbackIds[b & 0xFF] < 0) {
                            all = false;
                            break;
                        }
                    }
                    if (all) {
                        if (count + bytes.length > c.length) {
                            c = Arrays.copyOf(c, c.length * 2 + bytes.length);
                            st = Arrays.copyOf(st, c.length);
                            en = Arrays.copyOf(en, c.length);
                            bl = Arrays.copyOf(bl, c.length);
                        }
                        for (byte b : bytes) {
                            c[count] = byteFallbackIds[b & 0xFF];
                            st[count] = i;
                            bl[count] = 1;
                            en[count++] = i + l;
                        }
                        done = true;
                    }
                }
                if (!done && unkToken != null) {
                    Integer u = vocab.get(unkToken);
                    if (u == null) {
                        throw new TokenizerException("BPE: unk_token \"" + unkToken + "\" is not in the vocabulary");
                    }
                    if (haveUnk && fuseUnk) {
                        unkEnd = i + l;
                        unkBytes += cb;
                    } else {
                        if (haveUnk) {
                            c[count] = unkId;
                            st[count] = unkStart;
                            bl[count] = unkBytes;
                            en[count++] = unkEnd;
                        }
                        haveUnk = true;
                        unkId = u;
                        unkStart = i;
                        unkEnd = i + l;
                        unkBytes = cb;
                    }
                } else if (!done) {
                    // Dropped without a trace, as in the reference; later offsets shift (see below).
                    skipped = true;
                }
            }
            i += l;
        }
        if (haveUnk) {
            c[count] = unkId;
            st[count] = unkStart;
            bl[count] = unkBytes;
            en[count++] = unkEnd;
        }
        count = mergeAll(c, st, en, bl, count);
        if (skipped) {
            cumulativeOffsets(w, st, en, bl, count);
        }
        int[] out = new int[count * 3];
        for (int k = 0; k < count; k++) {
            out[3 * k] = c[k];
            out[3 * k + 1] = st[k];
            out[3 * k + 2] = en[k];
        }
        return out;
    }

    /** Applies merges in rank order (leftmost first on ties); compacts and returns the symbol count. */
    private int mergeAll(int[] c, int[] st, int[] en, int[] bl, int count) {
        if (count < 2) {
            return count;
        }
        int[] prev = new int[count];
        int[] next = new int[count];
        boolean[] dead = new boolean[count];
        for (int i = 0; i < count; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }
        long[] heap = new long[count + 4];
        int hs = 0;
        for (int i = 0; i + 1 < count; i++) {
            long m = merges.get(((long) c[i] << 32) | (c[i + 1] & 0xFFFFFFFFL), NONE);
            if (m != NONE) {
                hs = push(heap, hs, (m & 0xFFFFFFFF00000000L) | i);
                if (hs == heap.length) heap = Arrays.copyOf(heap, heap.length * 2);
            }
        }
        while (hs > 0) {
            long top = heap[0];
            hs = pop(heap, hs);
            int pos = (int) top;
            int rank = (int) (top >>> 32);
            if (dead[pos]) {
                continue;
            }
            int nx = next[pos];
            if (nx < 0) {
                continue;
            }
            long cur = merges.get(((long) c[pos] << 32) | (c[nx] & 0xFFFFFFFFL), NONE);
            int newId = rankNewId[rank];
            if (cur == NONE || (int) cur != newId) {
                continue;
            }
            c[pos] = newId;
            en[pos] = en[nx];
            bl[pos] += bl[nx];
            dead[nx] = true;
            int nn = next[nx];
            next[pos] = nn;
            if (nn >= 0) {
                prev[nn] = pos;
            }
            int pv = prev[pos];
            if (pv >= 0) {
                long m = merges.get(((long) c[pv] << 32) | (c[pos] & 0xFFFFFFFFL), NONE);
                if (m != NONE) {
                    if (hs + 1 >= heap.length) heap = Arrays.copyOf(heap, heap.length * 2);
                    hs = push(heap, hs, (m & 0xFFFFFFFF00000000L) | pv);
                }
            }
            if (nn >= 0) {
                long m = merges.get(((long) c[pos] << 32) | (c[nn] & 0xFFFFFFFFL), NONE);
                if (m != NONE) {
                    if (hs + 1 >= heap.length) heap = Arrays.copyOf(heap, heap.length * 2);
                    hs = push(heap, hs, (m & 0xFFFFFFFF00000000L) | pos);
                }
            }
        }
        int w = 0;
        for (int i = 0; i < count; i++) {
            if (!dead[i]) {
                c[w] = c[i];
                st[w] = st[i];
                bl[w] = bl[i];
                en[w++] = en[i];
            }
        }
        return w;
    }

    /**
     * The reference places each symbol right after the previous one by byte length, so a
     * character dropped for lack of an unk token shifts the offsets of everything after it. Mirror
     * that: lay the symbols out by their byte lengths and map byte positions back to characters.
     */
    private static void cumulativeOffsets(String w, int[] st, int[] en, int[] bl, int count) {
        int bytes = Chars.utf8Len(w);
        int[] unitOfByte = new int[bytes + 1];
        int[] unitEndOfByte = new int[bytes + 1];
        int b = 0;
        for (int i = 0; i < w.length(); ) {
            int cp = w.codePointAt(i);
            int l = Character.charCount(cp);
            int n = Chars.utf8Len(cp);
            for (int k = 0; k < n; k++) {
                unitOfByte[b + k] = i;
                unitEndOfByte[b + k] = i + l;
            }
            b += n;
            i += l;
        }
        unitOfByte[bytes] = w.length();
        int pos = 0;
        for (int k = 0; k < count; k++) {
            int s = pos;
            int e = pos + bl[k];
            pos = e;
            st[k] = unitOfByte[Math.min(s, bytes)];
            en[k] = e > s ? unitEndOfByte[Math.min(e - 1, bytes)] : st[k];
        }
    }

    private static int push(long[] h, int size, long v) {
        int i = size;
        h[i] = v;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (h[p] <= v) {
                break;
            }
            h[i] = h[p];
            i = p;
        }
        h[i] = v;
        return size + 1;
    }

    private static int pop(long[] h, int size) {
        int n = size - 1;
        long v = h[n];
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) {
                break;
            }
            int r = l + 1;
            int m = (r < n && h[r] < h[l]) ? r : l;
            if (h[m] >= v) {
                break;
            }
            h[i] = h[m];
            i = m;
        }
        if (n > 0) {
            h[i] = v;
        }
        return n;
    }

    @Override
    public int tokenToId(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public String idToToken(int id) {
        return id >= 0 && id < vocabR.length ? vocabR[id] : null;
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public Map<String, Integer> vocab() {
        return vocab;
    }
}
