package dev.tune4j.tokenizers;

import java.util.ArrayList;
import java.util.List;

/** What a split does with the delimiter, as the reference {@code SplitDelimiterBehavior}. */
enum SplitBehavior {
    REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS;

    static SplitBehavior parse(String s, String where) {
        return switch (s) {
            case "Removed" -> REMOVED;
            case "Isolated" -> ISOLATED;
            case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> MERGED_WITH_NEXT;
            case "Contiguous" -> CONTIGUOUS;
            default -> throw new TokenizerException(where + ": unknown split behavior \"" + s
                    + "\" (expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous)");
        };
    }

    String jsonName() {
        return switch (this) {
            case REMOVED -> "Removed";
            case ISOLATED -> "Isolated";
            case MERGED_WITH_PREVIOUS -> "MergedWithPrevious";
            case MERGED_WITH_NEXT -> "MergedWithNext";
            case CONTIGUOUS -> "Contiguous";
        };
    }

    /** Splits {@code ns} on {@code pattern}; the results may include empty pieces (dropped by the caller). */
    List<NormalizedString> split(NormalizedString ns, Pattern pattern) {
        int[][] matches = pattern.findMatches(ns.normalized);
        List<int[]> splits = new ArrayList<>(matches.length);
        switch (this) {
            case ISOLATED -> {
                for (int[] m : matches) splits.add(new int[] {m[0], m[1], 0});
            }
            case REMOVED -> {
                for (int[] m : matches) splits.add(m);
            }
            case CONTIGUOUS -> {
                boolean prev = false;
                for (int[] m : matches) {
                    boolean isMatch = m[2] == 1;
                    if (isMatch == prev && !splits.isEmpty()) {
                        splits.get(splits.size() - 1)[1] = m[1];
                    } else {
                        splits.add(new int[] {m[0], m[1], 0});
                    }
                    prev = isMatch;
                }
            }
            case MERGED_WITH_PREVIOUS -> {
                boolean prev = false;
                for (int[] m : matches) {
                    boolean isMatch = m[2] == 1;
                    if (isMatch && !prev && !splits.isEmpty()) {
                        splits.get(splits.size() - 1)[1] = m[1];
                    } else {
                        splits.add(new int[] {m[0], m[1], 0});
                    }
                    prev = isMatch;
                }
            }
            case MERGED_WITH_NEXT -> {
                boolean prev = false;
                for (int i = matches.length - 1; i >= 0; i--) {
                    int[] m = matches[i];
                    boolean isMatch = m[2] == 1;
                    if (isMatch && !prev && !splits.isEmpty()) {
                        splits.get(splits.size() - 1)[0] = m[0];
                    } else {
                        splits.add(new int[] {m[0], m[1], 0});
                    }
                    prev = isMatch;
                }
                java.util.Collections.reverse(splits);
            }
        }
        List<NormalizedString> out = new ArrayList<>(splits.size());
        for (int[] s : splits) {
            if (s[2] == 0) {
                NormalizedString piece = ns.slice(s[0], s[1]);
                if (piece == null) {
                    throw new IllegalStateException("bad split");
                }
                out.add(piece);
            }
        }
        return out;
    }
}
