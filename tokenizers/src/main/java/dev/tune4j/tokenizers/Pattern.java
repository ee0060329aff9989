package dev.tune4j.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;

/**
 * Something that splits a string into matching and non-matching spans, as the reference
 * {@code Pattern} trait: each result is {start, end, isMatch} in UTF-16 units, covering the input.
 */
interface Pattern {
    int[][] findMatches(String inside);

    int[][] EMPTY = {{0, 0, 0}};

    /** A literal string, matched left to right without overlaps. */
    static Pattern literal(String lit) {
        if (lit.isEmpty()) {
            return inside -> new int[][] {{0, inside.length(), 0}};
        }
        if (lit.codePointCount(0, lit.length()) == 1) {
            int c = lit.codePointAt(0);
            return predicate(x -> x == c);
        }
        return inside -> {
            if (inside.isEmpty()) {
                return EMPTY;
            }
            List<int[]> out = new ArrayList<>();
            int prev = 0;
            int i = inside.indexOf(lit);
            while (i >= 0) {
                if (prev != i) {
                    out.add(new int[] {prev, i, 0});
                }
                out.add(new int[] {i, i + lit.length(), 1});
                prev = i + lit.length();
                i = inside.indexOf(lit, prev);
            }
            if (prev != inside.length()) {
                out.add(new int[] {prev, inside.length(), 0});
            }
            return out.toArray(new int[0][]);
        };
    }

    /** A regular expression (see {@link Regexes} for the Oniguruma translation). */
    static Pattern regex(java.util.regex.Pattern re) {
        return inside -> {
            if (inside.isEmpty()) {
                return EMPTY;
            }
            List<int[]> out = new ArrayList<>();
            int prev = 0;
            Matcher m = re.matcher(inside);
            while (m.find()) {
                int s = m.start();
                int e = m.end();
                if (s == e) {
                    // Zero-length matches produce no split in the reference either (empty spans
                    // are dropped later); step over them.
                    continue;
                }
                if (prev != s) {
                    out.add(new int[] {prev, s, 0});
                }
                out.add(new int[] {s, e, 1});
                prev = e;
            }
            if (prev != inside.length()) {
                out.add(new int[] {prev, inside.length(), 0});
            }
            return out.toArray(new int[0][]);
        };
    }

    /** Every single character for which {@code p} holds is one match. */
    static Pattern predicate(IntPredicate p) {
        return inside -> {
            if (inside.isEmpty()) {
                return EMPTY;
            }
            List<int[]> out = new ArrayList<>();
            int last = 0;
            int lastSeen = 0;
            for (int i = 0; i < inside.length(); ) {
                int c = inside.codePointAt(i);
                int l = Character.charCount(c);
                lastSeen = i + l;
                if (p.test(c)) {
                    if (last < i) {
                        out.add(new int[] {last, i, 0});
                    }
                    out.add(new int[] {i, i + l, 1});
                    last = i + l;
                }
                i += l;
            }
            if (lastSeen > last) {
                out.add(new int[] {last, lastSeen, 0});
            }
            return out.toArray(new int[0][]);
        };
    }

    /** Swaps matching and non-matching spans. */
    static Pattern invert(Pattern p) {
        return inside -> {
            int[][] m = p.findMatches(inside);
            for (int[] x : m) {
                x[2] = 1 - x[2];
            }
            return m;
        };
    }
}
