package dev.tune4j.tokenizers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tokens added on top of the model's vocabulary and their leftmost-longest matching in the input,
 * as the reference {@code AddedVocabulary} (which uses an Aho-Corasick automaton in
 * LeftmostLongest mode; a trie walk from every position gives the same matches).
 */
final class AddedVocabulary {
    final Map<String, Integer> tokenToId = new HashMap<>();
    final Map<Integer, AddedToken> idToToken = new HashMap<>();
    private final List<AddedToken> addedTokens = new ArrayList<>();
    private final List<AddedToken> specialTokens = new ArrayList<>();
    private final Set<String> specialSet = new HashSet<>();
    private Trie rawTrie = new Trie();
    private Trie normalizedTrie = new Trie();

    /** Code-unit trie; values are token ids. */
    static final class Trie {
        final Map<Character, Trie> next = new HashMap<>();
        int id = -1;
        boolean empty = true;

        void insert(String s, int id) {
            Trie t = this;
            empty = false;
            for (int i = 0; i < s.length(); i++) t = t.next.computeIfAbsent(s.charAt(i), k -> new Trie());
            if (t.id < 0) {
                t.id = id; // the first pattern wins among identical ones, as in Aho-Corasick
            }
        }

        /** Longest match starting at {@code i}: {end, id}, or null. */
        int[] longest(String s, int i) {
            Trie t = this;
            int[] best = null;
            for (int j = i; j < s.length(); j++) {
                t = t.next.get(s.charAt(j));
                if (t == null) {
                    break;
                }
                if (t.id >= 0) {
                    best = new int[] {j + 1, t.id};
                }
            }
            return best;
        }
    }

    int size() {
        return tokenToId.size();
    }

    boolean isSpecial(String token) {
        return specialSet.contains(token);
    }

    List<AddedToken> specialTokens() {
        return specialTokens;
    }

    /** Adds tokens; returns how many were new. Ids come after the model vocabulary, as in the reference. */
    int add(List<AddedToken> tokens, Model model, Normalizer normalizer) {
        for (AddedToken t : tokens) {
            if (t.special() && !t.content().isEmpty() && !specialSet.contains(t.content())) {
                specialTokens.add(t);
                specialSet.add(t.content());
            }
        }
        int ignored = 0;
        for (AddedToken t : tokens) {
            if (t.content().isEmpty() || idToToken.containsValue(t)) {
                ignored++;
                continue;
            }
            int newId;
            Integer existing = tokenToId.get(t.content());
            if (existing == null) {
                int m = model.tokenToId(t.content());
                existing = m >= 0 ? m : null;
            }
            if (existing != null) {
                newId = existing;
            } else {
                int vs = model.vocabSize();
                int max = -1;
                for (int v : tokenToId.values()) max = Math.max(max, v);
                if (max < 0) {
                    newId = vs;
                } else {
                    newId = (max >= vs || vs == 0) ? max + 1 : vs;
                }
            }
            tokenToId.put(t.content(), newId);
            idToToken.put(newId, t);
            if (!specialSet.contains(t.content())) {
                addedTokens.add(t);
            }
        }
        refresh(model, normalizer);
        return tokens.size() - ignored;
    }

    /** Adds a token with a fixed id, as found in a tokenizer.json {@code added_tokens} entry. */
    void addWithId(AddedToken t, int id) {
        if (t.special() && !t.content().isEmpty() && !specialSet.contains(t.content())) {
            specialTokens.add(t);
            specialSet.add(t.content());
        }
        tokenToId.put(t.content(), id);
        idToToken.put(id, t);
        if (!specialSet.contains(t.content())) {
            addedTokens.add(t);
        }
    }

    void refresh(Model model, Normalizer normalizer) {
        rawTrie = new Trie();
        normalizedTrie = new Trie();
        List<AddedToken> all = new ArrayList<>(specialTokens);
        all.addAll(addedTokens);
        for (AddedToken t : all) {
            Integer id = tokenToId.get(t.content());
            if (id == null) {
                int m = model.tokenToId(t.content());
                if (m < 0) {
                    throw new TokenizerException("added token \"" + t.content() + "\" has no id");
                }
                id = m;
            }
            if (t.normalized()) {
                NormalizedString ns = NormalizedString.of(t.content());
                if (normalizer != null) {
                    normalizer.normalize(ns);
                }
                if (!ns.normalized.isEmpty()) {
                    normalizedTrie.insert(ns.normalized, id);
                }
            } else {
                rawTrie.insert(t.content(), id);
            }
        }
    }

    /** Tokens sorted by id, for saving. */
    Map<Integer, AddedToken> sortedById() {
        Map<Integer, AddedToken> m = new LinkedHashMap<>();
        idToToken.keySet().stream().sorted().forEach(k -> m.put(k, idToToken.get(k)));
        return m;
    }

    private static boolean isWordChar(int c) {
        int t = Character.getType(c);
        return Character.isAlphabetic(c) || t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK || t == Character.DECIMAL_DIGIT_NUMBER
                || t == Character.CONNECTOR_PUNCTUATION || c == 0x200C || c == 0x200D;
    }

    /** Splits {@code s} into (id or -1, start, end) spans covering it. */
    private List<int[]> findMatches(String s, Trie trie) {
        List<int[]> out = new ArrayList<>();
        if (s.isEmpty()) {
            out.add(new int[] {-1, 0, 0});
            return out;
        }
        int startOffset = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            Trie first = trie.next.get(s.charAt(i));
            int[] m = first == null ? null : trie.longest(s, i);
            if (m == null) {
                i++;
                continue;
            }
            int start = i;
            int stop = m[0];
            int id = m[1];
            i = stop;
            AddedToken tok = idToToken.get(id);
            if (tok.singleWord()) {
                boolean startSpace = start == 0 || !isWordChar(s.codePointBefore(start));
                boolean stopSpace = stop == n || !isWordChar(s.codePointAt(stop));
                if (!startSpace || !stopSpace) {
                    continue;
                }
            }
            if (tok.lstrip()) {
                int ns = start;
                while (ns > 0) {
                    int c = s.codePointBefore(ns);
                    if (!Chars.isWhitespace(c)) {
                        break;
                    }
                    ns -= Character.charCount(c);
                }
                start = Math.max(ns, startOffset);
            }
            if (tok.rstrip()) {
                while (stop < n) {
                    int c = s.codePointAt(stop);
                    if (!Chars.isWhitespace(c)) {
                        break;
                    }
                    stop += Character.charCount(c);
                }
            }
            if (startOffset < start) {
                out.add(new int[] {-1, startOffset, start});
            }
            out.add(new int[] {id, start, stop});
            startOffset = stop;
        }
        if (startOffset != n) {
            out.add(new int[] {-1, startOffset, n});
        }
        return out;
    }

    private List<NormalizedString> splitWithIndices(NormalizedString ns, Trie trie, List<List<Token>> toks) {
        List<NormalizedString> out = new ArrayList<>();
        for (int[] m : findMatches(ns.normalized, trie)) {
            NormalizedString piece = ns.slice(m[1], m[2]);
            if (piece == null) {
                throw new IllegalStateException("added vocabulary: bad split");
            }
            out.add(piece);
            toks.add(m[0] >= 0 ? List.of(new Token(m[0], piece.normalized, 0, piece.normalized.length())) : null);
        }
        return out;
    }

    /** Splits off added tokens (raw ones first, then normalized ones in the normalized text). */
    PreTokenizedString extractAndNormalize(Normalizer normalizer, String sequence) {
        PreTokenizedString pts = new PreTokenizedString(sequence);
        NormalizedString whole = NormalizedString.of(sequence);
        if (rawTrie.empty) {
            if (!whole.isEmpty()) {
                pts.add(whole, null);
            }
        } else {
            List<List<Token>> toks = new ArrayList<>();
            List<NormalizedString> pieces = splitWithIndices(whole, rawTrie, toks);
            for (int k = 0; k < pieces.size(); k++) {
                if (!pieces.get(k).isEmpty()) {
                    pts.add(pieces.get(k), toks.get(k));
                }
            }
        }
        List<NormalizedString> np = new ArrayList<>();
        List<List<Token>> nt = new ArrayList<>();
        for (int i = 0; i < pts.pieces.size(); i++) {
            NormalizedString p = pts.pieces.get(i);
            if (pts.tokens.get(i) != null) {
                np.add(p);
                nt.add(pts.tokens.get(i));
                continue;
            }
            if (normalizer != null) {
                normalizer.normalize(p);
            }
            if (normalizedTrie.empty) {
                if (!p.isEmpty()) {
                    np.add(p);
                    nt.add(null);
                }
                continue;
            }
            List<List<Token>> toks = new ArrayList<>();
            List<NormalizedString> pieces = splitWithIndices(p, normalizedTrie, toks);
            for (int k = 0; k < pieces.size(); k++) {
                if (!pieces.get(k).isEmpty()) {
                    np.add(pieces.get(k));
                    nt.add(toks.get(k));
                }
            }
        }
        pts.pieces = np;
        pts.tokens = nt;
        return pts;
    }
}
