package dev.tune4j.tokenizers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.text.BreakIterator;

/**
 * SentencePiece's {@code precompiled_charsmap} normalizer: a darts-clone double-array trie over
 * UTF-8 keys whose values index NUL-terminated replacement strings. Applied per grapheme cluster
 * (shorter than 6 bytes), else per character, exactly as the reference does.
 */
final class Precompiled implements Normalizer {
    private final int[] trie;
    private final byte[] normalized;

    Precompiled(byte[] blob, String where) {
        if (blob.length < 4) {
            throw new TokenizerException(where + ": precompiled_charsmap too short (" + blob.length + " bytes)");
        }
        ByteBuffer bb = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        long trieSize = bb.getInt() & 0xFFFFFFFFL;
        if (trieSize % 4 != 0 || trieSize + 4 > blob.length) {
            throw new TokenizerException(where + ": precompiled_charsmap declares a trie of " + trieSize
                    + " bytes but holds " + (blob.length - 4));
        }
        trie = new int[(int) (trieSize / 4)];
        for (int i = 0; i < trie.length; i++) trie[i] = bb.getInt();
        normalized = new byte[blob.length - 4 - (int) trieSize];
        bb.get(normalized);
    }

    /** The replacement for {@code chunk} (first common-prefix hit), or null. */
    String transform(byte[] key) {
        if (trie.length == 0) {
            return null;
        }
        int nodePos = 0;
        int unit = trie[0];
        nodePos ^= offset(unit);
        for (byte kb : key) {
            int k = kb & 0xFF;
            nodePos ^= k;
            if (nodePos < 0 || nodePos >= trie.length) {
                return null;
            }
            unit = trie[nodePos];
            if (label(unit) != k) {
                return null;
            }
            nodePos ^= offset(unit);
            if (nodePos < 0 || nodePos >= trie.length) {
                return null;
            }
            if (((unit >>> 8) & 1) == 1) {
                int index = trie[nodePos] & 0x7FFFFFFF;
                if (index >= normalized.length) {
                    return null;
                }
                int end = index;
                while (end < normalized.length && normalized[end] != 0) end++;
                return new String(normalized, index, end - index, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }

    private static int label(int unit) {
        return unit & ((1 << 31) | 0xFF);
    }

    private static final String NONE = new String("");
    /** Replacement of each single BMP character (NONE when it has none), filled lazily. */
    private final String[] single = new String[0x10000];

    private String transformChar(int cp) {
        if (cp < 0x10000) {
            String r = single[cp];
            if (r == null) {
                r = transform(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                single[cp] = r == null ? NONE : r;
            }
            return r == NONE ? null : r;
        }
        return transform(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void normalize(NormalizedString ns) {
        String s = ns.normalized;
        NormalizedString.Changes c = new NormalizedString.Changes();
        boolean modified = false;
        BreakIterator bi = BreakIterator.getCharacterInstance();
        bi.setText(s);
        int start = bi.first();
        for (int end = bi.next(); end != BreakIterator.DONE; start = end, end = bi.next()) {
            int first = s.codePointAt(start);
            if (end - start == Character.charCount(first)) {
                // One-character grapheme (the common case): same lookup, cached.
                String norm = transformChar(first);
                if (norm != null) {
                    modified = true;
                    replace(c, s.substring(start, end), norm);
                } else {
                    c.add(first, 0);
                }
                continue;
            }
            String g = s.substring(start, end);
            byte[] gb = g.getBytes(StandardCharsets.UTF_8);
            if (gb.length < 6) {
                String norm = transform(gb);
                if (norm != null) {
                    modified = true;
                    replace(c, g, norm);
                    continue;
                }
            }
            for (int i = 0; i < g.length(); ) {
                int cp = g.codePointAt(i);
                int l = Character.charCount(cp);
                String part = g.substring(i, i + l);
                String norm = transform(part.getBytes(StandardCharsets.UTF_8));
                if (norm != null) {
                    modified = true;
                    replace(c, part, norm);
                } else {
                    c.add(cp, 0);
                }
                i += l;
            }
        }
        if (modified) {
            ns.apply(c, 0);
        }
    }

    private static void replace(NormalizedString.Changes c, String oldPart, String newPart) {
        int oldCount = oldPart.codePointCount(0, oldPart.length());
        int[] np = newPart.codePoints().toArray();
        int diff = np.length - oldCount;
        for (int cp : np) c.add(cp, 0);
        if (diff > 0) {
            for (int k = 0; k < diff && c.n - 1 - k >= 0; k++) c.ch[c.n - 1 - k] = 1;
        } else if (diff < 0 && c.n > 0) {
            c.ch[c.n - 1] += diff;
        }
    }
}
