package dev.tune4j.tokenizers;

import java.util.List;

/** The normalizer components of tokenizer.json. */
final class Normalizers {
    private Normalizers() {}

    /** NFC, NFD, NFKC or NFKD with alignments. */
    record Unicode(java.text.Normalizer.Form form) implements Normalizer {
        @Override
        public void normalize(NormalizedString ns) {
            unicode(ns, form);
        }
    }

    static void unicode(NormalizedString ns, java.text.Normalizer.Form form) {
        String s = ns.normalized;
        if (java.text.Normalizer.isNormalized(s, form)) {
            return;
        }
        // Normalize segment by segment (a character and the marks that follow it) so that each
        // output character can be attributed to the input characters it comes from: extra output
        // characters count as insertions, missing ones as removals after the last one.
        NormalizedString.Changes c = new NormalizedString.Changes();
        int n = s.length();
        int i = 0;
        while (i < n) {
            int j = i + Character.charCount(s.codePointAt(i));
            while (j < n) {
                int cp = s.codePointAt(j);
                if (!continuesSegment(cp)) {
                    break;
                }
                j += Character.charCount(cp);
            }
            if (j - i == Character.charCount(s.codePointAt(i))) {
                // A lone character: its own normal form, cached; extra characters are insertions.
                String one = single(s.codePointAt(i), form);
                if (one == null) {
                    c.add(s.codePointAt(i), 0);
                } else {
                    int t = 0;
                    for (int q = 0; q < one.length(); ) {
                        int cp = one.codePointAt(q);
                        c.add(cp, t++ == 0 ? 0 : 1);
                        q += Character.charCount(cp);
                    }
                }
                i = j;
                continue;
            }
            String seg = s.substring(i, j);
            if (java.text.Normalizer.isNormalized(seg, form)) {
                // Already in normal form: the reference's decomposition and recomposition cancel out.
                for (int q = 0; q < seg.length(); ) {
                    int cp = seg.codePointAt(q);
                    c.add(cp, 0);
                    q += Character.charCount(cp);
                }
                i = j;
                continue;
            }
            String out = java.text.Normalizer.normalize(seg, form);
            int[] orig = seg.codePoints().toArray();
            int k = orig.length;
            int[] cps = out.codePoints().toArray();
            int m = cps.length;
            boolean composing = form == java.text.Normalizer.Form.NFC || form == java.text.Normalizer.Form.NFKC;
            if (traced(orig, cps, form, composing, c)) {
                i = j;
                continue;
            }
            if (m < k && composing) {
                // Composition: the first output character absorbs the removed ones, as the
                // reference's alignment-tracking normalizer reports it.
                for (int t = 0; t < m; t++) c.add(cps[t], t == 0 ? -(k - m) : 0);
            } else if (!perCharacter(orig, out, form, c)) {
                for (int t = 0; t < m; t++) c.add(cps[t], t < k ? 0 : 1);
            }
            i = j;
        }
        ns.apply(c, 0);
    }

    /**
     * Follows the reference's alignment-tracking normalizer through one segment: each character is
     * decomposed (first piece replaces it, the rest are insertions), the marks are put in canonical
     * order carrying their changes along, and on composition a starter absorbs marks, its change
     * becoming its own plus, for each absorbed mark, that mark's change minus one. The steps are
     * recovered from the JDK's normal forms; false, adding nothing, if they cannot be.
     */
    private static boolean traced(int[] orig, int[] out, java.text.Normalizer.Form form, boolean composing,
                                  NormalizedString.Changes c) {
        java.text.Normalizer.Form decomp = form == java.text.Normalizer.Form.NFC || form == java.text.Normalizer.Form.NFD
                ? java.text.Normalizer.Form.NFD : java.text.Normalizer.Form.NFKD;
        // 1. Per-character decomposition with changes.
        int[] dCp = new int[orig.length * 4 + 8];
        int[] dCh = new int[dCp.length];
        int nd = 0;
        for (int cp : orig) {
            String piece = java.text.Normalizer.normalize(new String(Character.toChars(cp)), decomp);
            int t = 0;
            for (int q = 0; q < piece.length(); ) {
                int x = piece.codePointAt(q);
                q += Character.charCount(x);
                if (nd == dCp.length) {
                    dCp = java.util.Arrays.copyOf(dCp, nd * 2);
                    dCh = java.util.Arrays.copyOf(dCh, nd * 2);
                }
                dCp[nd] = x;
                dCh[nd++] = t++ == 0 ? 0 : 1;
            }
        }
        // 2. Canonical order: map the segment's full decomposition back onto those characters
        //    (equal marks keep their relative order in a stable sort).
        StringBuilder sb = new StringBuilder();
        for (int cp : orig) sb.appendCodePoint(cp);
        int[] nCp = java.text.Normalizer.normalize(sb, decomp).codePoints().toArray();
        if (nCp.length != nd) {
            return false;
        }
        int[] nCh = new int[nd];
        boolean[] used = new boolean[nd];
        for (int a = 0; a < nd; a++) {
            int b = 0;
            while (b < nd && (used[b] || dCp[b] != nCp[a])) b++;
            if (b == nd) {
                return false;
            }
            used[b] = true;
            nCh[a] = dCh[b];
        }
        if (!composing) {
            if (!java.util.Arrays.equals(nCp, out)) {
                return false;
            }
            for (int a = 0; a < nd; a++) c.add(nCp[a], nCh[a]);
            return true;
        }
        // 3. Composition, matched from the right: an output character equal to a decomposed one is
        //    that one; any other is a composite whose starter absorbs the unmatched marks after it.
        int m = out.length;
        int[] outCh = new int[m];
        int hi = nd - 1;
        int pendingAbsorbed = 0;
        for (int j = m - 1; j >= 0; j--) {
            int t = hi;
            while (t >= 0 && nCp[t] != out[j]) t--;
            if (t >= 0) {
                for (int u = t + 1; u <= hi; u++) pendingAbsorbed += nCh[u] - 1;
                outCh[j] = nCh[t];
                hi = t - 1;
                continue;
            }
            String d = java.text.Normalizer.normalize(new String(Character.toChars(out[j])), decomp);
            int starter = d.codePointAt(0);
            t = hi;
            while (t >= 0 && nCp[t] != starter) t--;
            if (t < 0) {
                return false;
            }
            int ch = nCh[t] + pendingAbsorbed;
            for (int u = t + 1; u <= hi; u++) ch += nCh[u] - 1;
            pendingAbsorbed = 0;
            outCh[j] = ch;
            hi = t - 1;
        }
        if (hi >= 0 || pendingAbsorbed != 0) {
            return false;
        }
        for (int j = 0; j < m; j++) c.add(out[j], outCh[j]);
        return true;
    }

    /**
     * Decomposes character by character (first piece replaces the character, the others are
     * insertions), as the reference does; false, adding nothing, when that does not give the
     * segment's normal form (canonical reordering across characters).
     */
    private static boolean perCharacter(int[] orig, String out, java.text.Normalizer.Form form,
                                        NormalizedString.Changes c) {
        StringBuilder sb = new StringBuilder(out.length());
        String[] parts = new String[orig.length];
        for (int i = 0; i < orig.length; i++) {
            parts[i] = java.text.Normalizer.normalize(new String(Character.toChars(orig[i])), form);
            sb.append(parts[i]);
        }
        if (!sb.toString().equals(out)) {
            return false;
        }
        for (String p : parts) {
            int t = 0;
            for (int i = 0; i < p.length(); ) {
                int cp = p.codePointAt(i);
                c.add(cp, t++ == 0 ? 0 : 1);
                i += Character.charCount(cp);
            }
        }
        return true;
    }

    private static final java.util.Map<java.text.Normalizer.Form, String[]> SINGLE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final String SAME = new String("");

    /** Normal form of one BMP character (null when unchanged), cached; computed for others. */
    private static String single(int cp, java.text.Normalizer.Form form) {
        if (cp < 0xA0) {
            return null;
        }
        String[] cache = cp < 0x10000 ? SINGLE.computeIfAbsent(form, f -> new String[0x10000]) : null;
        if (cache != null && cache[cp] != null) {
            return cache[cp] == SAME ? null : cache[cp];
        }
        String in = new String(Character.toChars(cp));
        String out = java.text.Normalizer.normalize(in, form);
        String r = out.equals(in) ? null : out;
        if (cache != null) {
            cache[cp] = r == null ? SAME : r;
        }
        return r;
    }

    private static boolean continuesSegment(int cp) {
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK || (cp >= 0x1160 && cp <= 0x11FF)
                || (cp >= 0xD7B0 && cp <= 0xD7FF) || cp == 0x3099 || cp == 0x309A;
    }

    record Lowercase() implements Normalizer {
        @Override
        public void normalize(NormalizedString ns) {
            ns.lowercase();
        }
    }

    record Strip(boolean left, boolean right) implements Normalizer {
        @Override
        public void normalize(NormalizedString ns) {
            ns.lrstrip(left, right);
        }
    }

    record StripAccents() implements Normalizer {
        @Override
        public void normalize(NormalizedString ns) {
            // Marks as the reference's (older) Unicode tables know them.
            ns.filter(cp -> {
                int t = Character.getType(cp);
                return !(Bert.isOldNonSpacingMark(cp) || t == Character.COMBINING_SPACING_MARK
                        || t == Character.ENCLOSING_MARK);
            });
        }
    }

    record Replace(Pattern pattern, String content) implements Normalizer {
        @Override
        public void normalize(NormalizedString ns) {
            ns.replace(pattern, content);
        }
    }

    record Prepend(String prepend) implements Normalizer {
        @Override
        public void normalize(NormalizedString ns) {
            if (!ns.isEmpty()) {
                ns.prepend(prepend);
            }
        }
    }

    record Sequence(List<Normalizer> normalizers) implements Normalizer {
        @Override
        public void normalize(NormalizedString ns) {
            for (Normalizer n : normalizers) n.normalize(ns);
        }
    }

    /** BERT's cleanup, CJK spacing, accent stripping and lowercasing. */
    record Bert(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase)
            implements Normalizer {
        @Override
        public void normalize(NormalizedString ns) {
            if (cleanText) {
                ns.filter(c -> !(c == 0 || c == 0xFFFD || isBertControl(c)));
                ns.map(c -> (c == '\t' || c == '\n' || c == '\r' || Chars.isWhitespace(c)) ? ' ' : c);
            }
            if (handleChineseChars) {
                NormalizedString.Changes ch = new NormalizedString.Changes();
                String s = ns.normalized;
                boolean any = false;
                for (int i = 0; i < s.length(); ) {
                    int c = s.codePointAt(i);
                    i += Character.charCount(c);
                    if (isChinese(c)) {
                        ch.add(' ', 0);
                        ch.add(c, 1);
                        ch.add(' ', 1);
                        any = true;
                    } else {
                        ch.add(c, 0);
                    }
                }
                if (any) {
                    ns.apply(ch, 0);
                }
            }
            if (stripAccents) {
                unicode(ns, java.text.Normalizer.Form.NFD);
                ns.filter(c -> !isOldNonSpacingMark(c));
            }
            if (lowercase) {
                ns.lowercase();
            }
        }

        /**
         * Characters BERT's clean-up removes. The reference asks a Unicode category table generated
         * from an old UnicodeData.txt without range expansion of unassigned code points, so its
         * "other" set is Cc, the Cf characters of that version and the private-use planes, but no
         * unassigned code point; these ranges reproduce it (checked against the reference over all
         * code points).
         */
        private static final int[] BERT_OTHER = {0x0, 0x8, 0xB, 0xC, 0xE, 0x1F, 0x7F, 0x9F, 0xAD, 0xAD, 0x600, 0x605,
            0x61C, 0x61C, 0x6DD, 0x6DD, 0x70F, 0x70F, 0x1734, 0x1734, 0x180E, 0x180E, 0x200B, 0x200F, 0x202A, 0x202E,
            0x2060, 0x2064, 0x2066, 0x206F, 0xE000, 0xF8FF, 0xFEFF, 0xFEFF, 0xFFF9, 0xFFFB, 0x110BD, 0x110BD,
            0x1171E, 0x1171E, 0x1BCA0, 0x1BCA3, 0x1D173, 0x1D17A, 0xE0001, 0xE0001, 0xE0020, 0xE007F, 0xF0000,
            0xFFFFD, 0x100000, 0x10FFFD};

        /**
         * Nonspacing marks (Mn) that the reference's old category table does not know yet (added
         * to Unicode after it was generated), so its accent stripping keeps them; found by asking
         * the reference about every Mn code point of the JDK's tables.
         */
        private static final int[] NEW_MN = {
            0x7FD, 0x7FD, 0x897, 0x89F, 0x8CA, 0x8E1, 0x9FE, 0x9FE, 0xAFA, 0xAFF, 0xB55, 0xB55, 0xC04, 0xC04, 0xC3C,
            0xC3C, 0xD00, 0xD00, 0xD3B, 0xD3C, 0xD81, 0xD81, 0xEBA, 0xEBA, 0xECE, 0xECE, 0x180F, 0x180F, 0x1885,
            0x1886, 0x1ABF, 0x1ACE, 0x1DF6, 0x1DFB, 0xA82C, 0xA82C, 0xA8C5, 0xA8C5, 0xA8FF, 0xA8FF, 0xA9BD, 0xA9BD,
            0x10D24, 0x10D27, 0x10D69, 0x10D6D, 0x10EAB, 0x10EAC, 0x10EFC, 0x10EFF, 0x10F46, 0x10F50, 0x10F82,
            0x10F85, 0x11070, 0x11070, 0x11073, 0x11074, 0x110C2, 0x110C2, 0x111C9, 0x111C9, 0x111CF, 0x111CF,
            0x1123E, 0x1123E, 0x11241, 0x11241, 0x1133B, 0x1133B, 0x113BB, 0x113C0, 0x113CE, 0x113CE, 0x113D0,
            0x113D0, 0x113D2, 0x113D2, 0x113E1, 0x113E2, 0x11438, 0x1143F, 0x11442, 0x11444, 0x11446, 0x11446,
            0x1145E, 0x1145E, 0x1182F, 0x11837, 0x11839, 0x1183A, 0x1193B, 0x1193C, 0x1193E, 0x1193E, 0x11943,
            0x11943, 0x119D4, 0x119D7, 0x119DA, 0x119DB, 0x119E0, 0x119E0, 0x11A01, 0x11A0A, 0x11A33, 0x11A38,
            0x11A3B, 0x11A3E, 0x11A47, 0x11A47, 0x11A51, 0x11A56, 0x11A59, 0x11A5B, 0x11A8A, 0x11A96, 0x11A98,
            0x11A99, 0x11C30, 0x11C36, 0x11C38, 0x11C3D, 0x11C3F, 0x11C3F, 0x11C92, 0x11CA7, 0x11CAA, 0x11CB0,
            0x11CB2, 0x11CB3, 0x11CB5, 0x11CB6, 0x11D31, 0x11D36, 0x11D3A, 0x11D3A, 0x11D3C, 0x11D3D, 0x11D3F,
            0x11D45, 0x11D47, 0x11D47, 0x11D90, 0x11D91, 0x11D95, 0x11D95, 0x11D97, 0x11D97, 0x11EF3, 0x11EF4,
            0x11F00, 0x11F01, 0x11F36, 0x11F3A, 0x11F40, 0x11F40, 0x11F42, 0x11F42, 0x11F5A, 0x11F5A, 0x13440,
            0x13440, 0x13447, 0x13455, 0x1611E, 0x16129, 0x1612D, 0x1612F, 0x16F4F, 0x16F4F, 0x16FE4, 0x16FE4,
            0x1CF00, 0x1CF2D, 0x1CF30, 0x1CF46, 0x1E000, 0x1E006, 0x1E008, 0x1E018, 0x1E01B, 0x1E021, 0x1E023,
            0x1E024, 0x1E026, 0x1E02A, 0x1E08F, 0x1E08F, 0x1E130, 0x1E136, 0x1E2AE, 0x1E2AE, 0x1E2EC, 0x1E2EF,
            0x1E4EC, 0x1E4EF, 0x1E5EE, 0x1E5EF, 0x1E944, 0x1E94A};

        static boolean isOldNonSpacingMark(int c) {
            return Character.getType(c) == Character.NON_SPACING_MARK && !inRanges(NEW_MN, c);
        }

        private static boolean inRanges(int[] ranges, int c) {
            for (int i = 0; i < ranges.length; i += 2) {
                if (c < ranges[i]) {
                    return false;
                }
                if (c <= ranges[i + 1]) {
                    return true;
                }
            }
            return false;
        }

        static boolean isBertControl(int c) {
            return inRanges(BERT_OTHER, c);
        }

        static boolean isChinese(int c) {
            return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                    || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F)
                    || (c >= 0x2B920 && c <= 0x2CEAF) || (c >= 0xF900 && c <= 0xFAFF)
                    || (c >= 0x2F800 && c <= 0x2FA1F);
        }
    }
}
