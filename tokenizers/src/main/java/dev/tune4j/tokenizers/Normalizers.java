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
            String seg = s.substring(i, j);
            String out = java.text.Normalizer.normalize(seg, form);
            int k = seg.codePointCount(0, seg.length());
            int[] cps = out.codePoints().toArray();
            int m = cps.length;
            if (m >= k) {
                for (int t = 0; t < m; t++) c.add(cps[t], t < k ? 0 : 1);
            } else if (m > 0) {
                for (int t = 0; t < m; t++) c.add(cps[t], t < m - 1 ? 0 : -(k - m));
            }
            i = j;
        }
        ns.apply(c, 0);
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
            ns.filter(cp -> {
                int t = Character.getType(cp);
                return !(t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
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
                ns.filter(c -> Character.getType(c) != Character.NON_SPACING_MARK);
            }
            if (lowercase) {
                ns.lowercase();
            }
        }

        static boolean isBertControl(int c) {
            if (c == '\t' || c == '\n' || c == '\r') {
                return false;
            }
            int t = Character.getType(c);
            return t == Character.CONTROL || t == Character.FORMAT || t == Character.UNASSIGNED
                    || t == Character.PRIVATE_USE || t == Character.SURROGATE;
        }

        static boolean isChinese(int c) {
            return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                    || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F)
                    || (c >= 0x2B920 && c <= 0x2CEAF) || (c >= 0xF900 && c <= 0xFAFF)
                    || (c >= 0x2F800 && c <= 0x2FA1F);
        }
    }
}
