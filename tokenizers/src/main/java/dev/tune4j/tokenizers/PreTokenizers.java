package dev.tune4j.tokenizers;

import java.util.List;

/** The pre-tokenizer components of tokenizer.json. */
final class PreTokenizers {
    private PreTokenizers() {}

    /** GPT-2's split regex; {@code \s} is Unicode White_Space as in Oniguruma. */
    static final java.util.regex.Pattern GPT2_REGEX = Regexes.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", "ByteLevel");
    static final Pattern GPT2_PATTERN = Pattern.regex(GPT2_REGEX);

    record ByteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) implements PreTokenizer {
        @Override
        public void preTokenize(PreTokenizedString pts) {
            if (addPrefixSpace || useRegex) {
                pts.split(ns -> {
                    if (addPrefixSpace && !ns.normalized.startsWith(" ")) {
                        ns.prepend(" ");
                    }
                    return useRegex ? SplitBehavior.ISOLATED.split(ns, GPT2_PATTERN) : List.of(ns);
                });
            }
            pts.normalize(ByteLevel::toByteChars);
        }

        /** Replaces every character by one character per UTF-8 byte, each aligned to the character. */
        static void toByteChars(NormalizedString ns) {
            String s = ns.normalized;
            int n = s.length();
            boolean ascii = true;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80 || ByteMap.BYTE_TO_CHAR[c] != c) {
                    ascii = false;
                    break;
                }
            }
            if (ascii) {
                return; // printable ASCII maps to itself
            }
            StringBuilder sb = new StringBuilder(n * 2);
            int[] st = new int[n * 3];
            int[] en = new int[n * 3];
            int w = 0;
            for (int i = 0; i < n; ) {
                int cp = s.codePointAt(i);
                int as = ns.alignStart[i];
                int ae = ns.alignEnd[i];
                int l = Character.charCount(cp);
                if (cp < 0x80) {
                    sb.append(ByteMap.BYTE_TO_CHAR[cp]);
                    st[w] = as;
                    en[w++] = ae;
                } else {
                    byte[] b = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    if (w + b.length > st.length) {
                        st = java.util.Arrays.copyOf(st, st.length * 2 + 4);
                        en = java.util.Arrays.copyOf(en, en.length * 2 + 4);
                    }
                    for (byte x : b) {
                        sb.append(ByteMap.BYTE_TO_CHAR[x & 0xFF]);
                        st[w] = as;
                        en[w++] = ae;
                    }
                }
                i += l;
            }
            ns.normalized = sb.toString();
            ns.alignStart = java.util.Arrays.copyOf(st, w);
            ns.alignEnd = java.util.Arrays.copyOf(en, w);
        }
    }

    record Split(Pattern pattern, SplitBehavior behavior) implements PreTokenizer {
        @Override
        public void preTokenize(PreTokenizedString pts) {
            pts.split(ns -> behavior.split(ns, pattern));
        }
    }

    enum PrependScheme { FIRST, NEVER, ALWAYS }

    record Metaspace(int replacement, PrependScheme scheme, boolean split) implements PreTokenizer {
        @Override
        public void preTokenize(PreTokenizedString pts) {
            String rep = new String(Character.toChars(replacement));
            Pattern space = Pattern.literal(" ");
            Pattern repPattern = Pattern.predicate(c -> c == replacement);
            pts.split(ns -> {
                ns.replace(space, rep);
                switch (scheme) {
                    case ALWAYS -> {
                        if (!ns.normalized.startsWith(rep)) ns.prepend(rep);
                    }
                    case FIRST -> {
                        if (!ns.normalized.startsWith(rep) && ns.originalShift == 0) ns.prepend(rep);
                    }
                    case NEVER -> { }
                }
                return split ? SplitBehavior.MERGED_WITH_NEXT.split(ns, repPattern) : List.of(ns);
            });
        }
    }

    /** {@code \w+|[^\w\s]+}, keeping the matches. */
    static final Pattern WHITESPACE_PATTERN = Pattern.invert(Pattern.regex(
            Regexes.compile("\\w+|[^\\w\\s]+", "Whitespace")));

    record Whitespace() implements PreTokenizer {
        @Override
        public void preTokenize(PreTokenizedString pts) {
            pts.split(ns -> SplitBehavior.REMOVED.split(ns, WHITESPACE_PATTERN));
        }
    }

    static final Pattern RUST_WHITESPACE = Pattern.predicate(Chars::isWhitespace);

    record WhitespaceSplit() implements PreTokenizer {
        @Override
        public void preTokenize(PreTokenizedString pts) {
            pts.split(ns -> SplitBehavior.REMOVED.split(ns, RUST_WHITESPACE));
        }
    }

    static final Pattern PUNCT = Pattern.predicate(Chars::isBertPunctuation);

    record Bert() implements PreTokenizer {
        @Override
        public void preTokenize(PreTokenizedString pts) {
            pts.split(ns -> SplitBehavior.REMOVED.split(ns, RUST_WHITESPACE));
            pts.split(ns -> SplitBehavior.ISOLATED.split(ns, PUNCT));
        }
    }

    record Punctuation(SplitBehavior behavior) implements PreTokenizer {
        @Override
        public void preTokenize(PreTokenizedString pts) {
            pts.split(ns -> behavior.split(ns, PUNCT));
        }
    }

    static final Pattern NUMERIC = Pattern.predicate(Chars::isNumeric);

    record Digits(boolean individual) implements PreTokenizer {
        @Override
        public void preTokenize(PreTokenizedString pts) {
            SplitBehavior b = individual ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS;
            pts.split(ns -> b.split(ns, NUMERIC));
        }
    }

    record Sequence(List<PreTokenizer> items) implements PreTokenizer {
        @Override
        public void preTokenize(PreTokenizedString pts) {
            for (PreTokenizer p : items) p.preTokenize(pts);
        }
    }
}
