package dev.tune4j.tokenizers;

import java.util.Arrays;

/**
 * A piece of text together with its normalized form and, for every UTF-16 unit of the normalized
 * form, the span of the original text it comes from.
 *
 * <p>This mirrors the reference {@code NormalizedString}, which keeps one alignment per UTF-8 byte;
 * here there is one per UTF-16 unit. Both units of a surrogate pair always share an alignment, just
 * as all bytes of one character do in the reference, so conversions give the same character spans.
 * Offsets are UTF-16 indices into {@link #original}; {@link Encoding} converts them to code points.
 */
final class NormalizedString {
    /** Length of this piece of the original text (the text itself is never needed, only spans). */
    final int originalLength;
    String normalized;
    /** Per normalized UTF-16 unit: start and end in this piece of the original text. */
    int[] alignStart;
    int[] alignEnd;
    /** Offset of this piece of the original text in the full input text. */
    final int originalShift;

    NormalizedString(int originalLength, String normalized, int[] alignStart, int[] alignEnd, int originalShift) {
        this.originalLength = originalLength;
        this.normalized = normalized;
        this.alignStart = alignStart;
        this.alignEnd = alignEnd;
        this.originalShift = originalShift;
    }

    static NormalizedString of(String s) {
        int n = s.length();
        int[] st = new int[n];
        int[] en = new int[n];
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                st[i] = i;
                en[i] = i + 2;
                st[i + 1] = i;
                en[i + 1] = i + 2;
                i += 2;
            } else {
                st[i] = i;
                en[i] = i + 1;
                i++;
            }
        }
        return new NormalizedString(s.length(), s, st, en, 0);
    }

    int length() {
        return normalized.length();
    }

    boolean isEmpty() {
        return normalized.isEmpty();
    }

    int[] offsetsOriginal() {
        return new int[] {originalShift, originalShift + originalLength};
    }

    /** Normalized range to original range (relative to this piece), or null. */
    int[] normalizedToOriginal(int start, int end) {
        if (start == end) {
            return new int[] {start, end};
        }
        if (start > end) {
            return null;
        }
        if (normalized.isEmpty() && start == 0 && end == 0) {
            return new int[] {0, originalLength};
        }
        if (end > normalized.length()) {
            return null;
        }
        return new int[] {alignStart[start], alignEnd[end - 1]};
    }

    /** Original range to normalized range, the reference's search over alignments. */
    int[] originalToNormalized(int tStart, int tEnd) {
        if (tStart == tEnd) {
            return new int[] {tStart, tEnd};
        }
        if (tStart > tEnd) {
            return null;
        }
        if (originalLength == 0 && tStart == 0 && tEnd == 0) {
            return new int[] {0, normalized.length()};
        }
        int start = -1;
        int end = -1;
        int n = normalized.length();
        for (int i = 0; i < n; i++) {
            if (!(tEnd >= alignEnd[i])) {
                break;
            }
            if (start < 0 && tStart <= alignStart[i] && alignStart[i] != alignEnd[i]) {
                start = i;
            }
            end = i + 1;
        }
        if (start >= 0 && end < 0) {
            return new int[] {start, start};
        }
        if (start < 0 && end >= 0) {
            return new int[] {end, end};
        }
        if (start >= 0) {
            return new int[] {start, end};
        }
        return null;
    }

    /** Slice by a normalized range; null when the range is invalid. */
    NormalizedString slice(int nStart, int nEnd) {
        int[] orig = normalizedToOriginal(nStart, nEnd);
        if (orig == null) {
            return null;
        }
        int shift = orig[0];
        int len = nEnd - nStart;
        int[] st = new int[len];
        int[] en = new int[len];
        for (int i = 0; i < len; i++) {
            st[i] = alignStart[nStart + i] - shift;
            en[i] = alignEnd[nStart + i] - shift;
        }
        int o = orig[0] <= orig[1] && orig[1] <= originalLength ? orig[1] - orig[0] : 0;
        return new NormalizedString(o, normalized.substring(nStart, nEnd), st, en, originalShift + shift);
    }

    /**
     * Replaces the normalized range by new characters. {@code changes[k]} is 1 for an inserted
     * character, 0 for one replacing the next old character, and -N for one replacing the next old
     * character and removing N more after it; {@code initialOffset} old characters are removed first.
     */
    void transformRange(int nStart, int nEnd, int[] cps, int[] changes, int count, int initialOffset) {
        String s = normalized;
        int pos = nStart;
        for (int k = 0; k < initialOffset && pos < nEnd; k++) {
            pos += Character.charCount(s.codePointAt(pos));
        }
        int offset = pos;
        int cursor = pos; // next replaced character
        StringBuilder sb = new StringBuilder(count + 8);
        int[] ns = new int[count * 2 + 2];
        int[] ne = new int[count * 2 + 2];
        int w = 0;
        for (int k = 0; k < count; k++) {
            int c = cps[k];
            int ch = changes[k];
            int as;
            int ae;
            if (ch > 0) {
                if (offset < 1) {
                    as = 0;
                    ae = 0;
                } else {
                    as = alignStart[offset - 1];
                    ae = alignEnd[offset - 1];
                }
            } else {
                if (offset >= alignStart.length) {
                    throw new IllegalStateException("alignment out of range while normalizing");
                }
                as = alignStart[offset];
                ae = alignEnd[offset];
            }
            if (ch <= 0 && cursor < nEnd) {
                int l = Character.charCount(s.codePointAt(cursor));
                cursor += l;
                offset += l;
            }
            if (ch < 0) {
                for (int r = 0; r < -ch && cursor < nEnd; r++) {
                    int l = Character.charCount(s.codePointAt(cursor));
                    cursor += l;
                    offset += l;
                }
            }
            int units = Character.charCount(c);
            if (w + units > ns.length) {
                ns = Arrays.copyOf(ns, ns.length * 2 + 2);
                ne = Arrays.copyOf(ne, ne.length * 2 + 2);
            }
            for (int u = 0; u < units; u++) {
                ns[w] = as;
                ne[w] = ae;
                w++;
            }
            sb.appendCodePoint(c);
        }
        int oldLen = s.length();
        int newLen = oldLen - (nEnd - nStart) + w;
        int[] fs = new int[newLen];
        int[] fe = new int[newLen];
        System.arraycopy(alignStart, 0, fs, 0, nStart);
        System.arraycopy(alignEnd, 0, fe, 0, nStart);
        System.arraycopy(ns, 0, fs, nStart, w);
        System.arraycopy(ne, 0, fe, nStart, w);
        System.arraycopy(alignStart, nEnd, fs, nStart + w, oldLen - nEnd);
        System.arraycopy(alignEnd, nEnd, fe, nStart + w, oldLen - nEnd);
        alignStart = fs;
        alignEnd = fe;
        normalized = s.substring(0, nStart) + sb + s.substring(nEnd);
    }

    /** Transform over the whole string, located as the reference does through the original range. */
    void transform(int[] cps, int[] changes, int count, int initialOffset) {
        int[] r = originalToNormalized(0, originalLength);
        if (r == null) {
            return;
        }
        transformRange(r[0], r[1], cps, changes, count, initialOffset);
    }

    /** Growable (code point, change) list used to build transformations. */
    static final class Changes {
        int[] cps = new int[16];
        int[] ch = new int[16];
        int n;

        void add(int c, int change) {
            if (n == cps.length) {
                cps = Arrays.copyOf(cps, n * 2);
                ch = Arrays.copyOf(ch, n * 2);
            }
            cps[n] = c;
            ch[n] = change;
            n++;
        }
    }

    void apply(Changes c, int initialOffset) {
        if (initialOffset == 0 && sameShape(c)) {
            // One-for-one replacement of every character by one of the same UTF-16 length: each
            // keeps its alignment, so only the text changes (what the general path computes too).
            StringBuilder sb = new StringBuilder(normalized.length());
            for (int k = 0; k < c.n; k++) sb.appendCodePoint(c.cps[k]);
            normalized = sb.toString();
            return;
        }
        transform(c.cps, c.ch, c.n, initialOffset);
    }

    /** Whether {@code c} replaces each character in place and the transform covers the whole text. */
    private boolean sameShape(Changes c) {
        String s = normalized;
        int i = 0;
        for (int k = 0; k < c.n; k++) {
            if (c.ch[k] != 0 || i >= s.length()) {
                return false;
            }
            int old = s.codePointAt(i);
            if (Character.charCount(old) != Character.charCount(c.cps[k])) {
                return false;
            }
            i += Character.charCount(old);
        }
        if (i != s.length()) {
            return false;
        }
        int[] r = originalToNormalized(0, originalLength);
        return r != null && r[0] == 0 && r[1] == s.length();
    }

    void prepend(String s) {
        if (normalized.isEmpty()) {
            return;
        }
        int next = normalized.codePointAt(0);
        Changes c = new Changes();
        int i = 0;
        for (int k = 0; k < s.length(); ) {
            int cp = s.codePointAt(k);
            c.add(cp, i != 0 ? 1 : 0);
            i++;
            k += Character.charCount(cp);
        }
        c.add(next, 1);
        transformRange(0, Character.charCount(next), c.cps, c.ch, c.n, 0);
    }

    void append(String s) {
        if (normalized.isEmpty()) {
            return;
        }
        int b = normalized.offsetByCodePoints(normalized.length(), -1);
        int prev = normalized.codePointAt(b);
        Changes c = new Changes();
        c.add(prev, 0);
        s.codePoints().forEach(cp -> c.add(cp, 1));
        transformRange(b, normalized.length(), c.cps, c.ch, c.n, 0);
    }

    void lowercase() {
        String s = normalized;
        int i0 = 0;
        while (i0 < s.length()) {
            int cp = s.codePointAt(i0);
            if (Character.toLowerCase(cp) != cp || cp == 0x130) {
                break;
            }
            i0 += Character.charCount(cp);
        }
        if (i0 == s.length()) {
            return; // nothing to lowercase: the transformation would be the identity
        }
        Changes c = new Changes();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            String low = RustCase.lower(cp);
            if (low == null) {
                c.add(Character.toLowerCase(cp), 0);
            } else {
                int k = 0;
                for (int j = 0; j < low.length(); ) {
                    int lc = low.codePointAt(j);
                    c.add(lc, k > 0 ? 1 : 0);
                    k++;
                    j += Character.charCount(lc);
                }
            }
        }
        apply(c, 0);
    }

    /** Removes characters for which {@code keep} is false. */
    void filter(java.util.function.IntPredicate keep) {
        boolean all = true;
        for (int i = 0; i < normalized.length(); ) {
            int cp = normalized.codePointAt(i);
            if (!keep.test(cp)) {
                all = false;
                break;
            }
            i += Character.charCount(cp);
        }
        if (all) {
            return; // nothing removed: the transformation would be the identity
        }
        int removed = 0;
        int removedStart = 0;
        Changes c = new Changes();
        int last = -1;
        String s = normalized;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (keep.test(cp)) {
                if (last >= 0) {
                    c.add(last, -removed);
                } else {
                    removedStart = removed;
                }
                last = cp;
                removed = 0;
            } else {
                removed++;
            }
        }
        if (last >= 0) {
            c.add(last, -removed);
        }
        apply(c, removedStart);
    }

    void map(java.util.function.IntUnaryOperator f) {
        boolean same = true;
        for (int i = 0; i < normalized.length(); ) {
            int cp = normalized.codePointAt(i);
            if (f.applyAsInt(cp) != cp) {
                same = false;
                break;
            }
            i += Character.charCount(cp);
        }
        if (same) {
            return;
        }
        Changes c = new Changes();
        String s = normalized;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            c.add(f.applyAsInt(cp), 0);
        }
        apply(c, 0);
    }

    /** Strips leading and/or trailing whitespace (Rust {@code is_whitespace}). */
    void lrstrip(boolean left, boolean right) {
        int[] cps = normalized.codePoints().toArray();
        int leading = 0;
        if (left) {
            while (leading < cps.length && Chars.isWhitespace(cps[leading])) leading++;
        }
        int trailing = 0;
        if (right) {
            while (trailing < cps.length && Chars.isWhitespace(cps[cps.length - 1 - trailing])) trailing++;
        }
        if (leading > 0 || trailing > 0) {
            Changes c = new Changes();
            int count = cps.length;
            // The reference compares a character index with a byte length here; mirror it.
            int byteLen = Chars.utf8Len(normalized);
            for (int i = 0; i < count; i++) {
                if (i < leading || i >= count - trailing) {
                    continue;
                }
                if (i == byteLen - trailing - 1) {
                    c.add(cps[i], -trailing);
                } else {
                    c.add(cps[i], 0);
                }
            }
            apply(c, leading);
        }
    }

    /** Replaces every match of {@code pattern} by {@code content}. */
    void replace(Pattern pattern, String content) {
        int[][] m = pattern.findMatches(normalized);
        if (m.length == 0) {
            return;
        }
        boolean any = false;
        for (int[] x : m) {
            if (x[2] == 1) {
                any = true;
                break;
            }
        }
        if (!any) {
            return;
        }
        String s = normalized;
        StringBuilder sb = new StringBuilder(s.length() + 16);
        int cap = s.length() + 16;
        int[] ns = new int[cap];
        int[] ne = new int[cap];
        int w = 0;
        int lastEnd = 0;
        int contentUnits = content.length();
        for (int[] x : m) {
            if (x[2] != 1) {
                continue;
            }
            int start = x[0];
            int end = x[1];
            sb.append(s, lastEnd, start);
            int need = w + (start - lastEnd) + contentUnits;
            if (need > ns.length) {
                ns = Arrays.copyOf(ns, Math.max(need, ns.length * 2));
                ne = Arrays.copyOf(ne, Math.max(need, ne.length * 2));
            }
            System.arraycopy(alignStart, lastEnd, ns, w, start - lastEnd);
            System.arraycopy(alignEnd, lastEnd, ne, w, start - lastEnd);
            w += start - lastEnd;
            // All content characters are insertions after the removed match: they share the
            // alignment of the unit just before the match end.
            int as = end < 1 ? 0 : alignStart[end - 1];
            int ae = end < 1 ? 0 : alignEnd[end - 1];
            for (int u = 0; u < contentUnits; u++) {
                ns[w] = as;
                ne[w] = ae;
                w++;
            }
            sb.append(content);
            lastEnd = end;
        }
        sb.append(s, lastEnd, s.length());
        int rest = s.length() - lastEnd;
        if (w + rest > ns.length) {
            ns = Arrays.copyOf(ns, w + rest);
            ne = Arrays.copyOf(ne, w + rest);
        }
        System.arraycopy(alignStart, lastEnd, ns, w, rest);
        System.arraycopy(alignEnd, lastEnd, ne, w, rest);
        w += rest;
        normalized = sb.toString();
        alignStart = w == ns.length ? ns : Arrays.copyOf(ns, w);
        alignEnd = w == ne.length ? ne : Arrays.copyOf(ne, w);
    }
}
