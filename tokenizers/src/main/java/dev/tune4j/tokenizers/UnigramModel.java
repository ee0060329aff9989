package dev.tune4j.tokenizers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece unigram model with Viterbi decoding, as the reference
 * {@code models::unigram::Unigram::encode_optimized}: scores are summed in double precision over
 * UTF-8 byte positions, unknown characters cost {@code min_score - 10} and consecutive unknowns
 * are fused.
 */
final class UnigramModel implements Model {
    private static final double UNK_PENALTY = 10.0;

    final List<String> pieces;
    final double[] scores;
    final Map<String, Integer> vocab;
    final Integer unkId;
    final boolean byteFallback;
    private final double minScore;
    /** Code-point trie of the pieces: (node << 21 | code point) -> child node. */
    private final LongLongMap trie;
    /** Piece id ending at each trie node, or -1. */
    private int[] nodeId;

    UnigramModel(List<String> pieces, double[] scores, Integer unkId, boolean byteFallback) {
        this.pieces = pieces;
        this.scores = scores;
        this.unkId = unkId;
        this.byteFallback = byteFallback;
        vocab = new HashMap<>(pieces.size() * 2);
        double min = Double.POSITIVE_INFINITY;
        trie = new LongLongMap(pieces.size() * 4);
        nodeId = new int[pieces.size() * 4 + 1];
        java.util.Arrays.fill(nodeId, -1);
        int nodes = 1;
        for (int i = 0; i < pieces.size(); i++) {
            vocab.put(pieces.get(i), i);
            min = Math.min(min, scores[i]);
        }
        // Every piece, the id being the one the vocabulary map resolves it to (the last duplicate).
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            String piece = e.getKey();
            int node = 0;
            for (int k = 0; k < piece.length(); ) {
                int cp = piece.codePointAt(k);
                k += Character.charCount(cp);
                long key = ((long) node << 21) | cp;
                long child = trie.get(key, -1);
                if (child < 0) {
                    child = nodes++;
                    trie.put(key, child);
                    if (nodes >= nodeId.length) {
                        int old = nodeId.length;
                        nodeId = java.util.Arrays.copyOf(nodeId, old * 2);
                        java.util.Arrays.fill(nodeId, old, nodeId.length, -1);
                    }
                }
                node = (int) child;
            }
            if (!piece.isEmpty()) {
                nodeId[node] = e.getValue();
            }
        }
        minScore = pieces.isEmpty() ? 0 : min;
    }

    @Override
    public List<Token> tokenize(String word) {
        if (word.isEmpty()) {
            return List.of();
        }
        // Positions are code points here; every vocabulary piece is whole characters, so the set of
        // candidate pieces at each position is the same as the reference's byte-level trie search.
        int[] cpStart = word.codePoints().toArray();
        int n = cpStart.length;
        int[] unitAt = new int[n + 1];
        for (int i = 0, u = 0; i < n; i++) {
            unitAt[i] = u;
            u += Character.charCount(cpStart[i]);
            unitAt[i + 1] = u;
        }
        double unkScore = minScore - UNK_PENALTY;
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        int[] ids = new int[n + 1];
        java.util.Arrays.fill(from, -1);
        for (int s = 0; s < n; s++) {
            double here = best[s];
            boolean single = false;
            int node = 0;
            for (int e = s + 1; e <= n; e++) {
                long child = trie.get(((long) node << 21) | cpStart[e - 1], -1);
                if (child < 0) {
                    break;
                }
                node = (int) child;
                int id = nodeId[node];
                if (id < 0) {
                    continue;
                }
                double cand = scores[id] + here;
                if (from[e] < 0 || cand > best[e]) {
                    best[e] = cand;
                    from[e] = s;
                    ids[e] = id;
                }
                if (e == s + 1) {
                    single = true;
                }
            }
            if (!single) {
                if (unkId == null) {
                    throw new TokenizerException("Unigram: no unk_id and \"" + word + "\" has an unknown character");
                }
                double cand = unkScore + here;
                if (from[s + 1] < 0 || cand > best[s + 1]) {
                    best[s + 1] = cand;
                    from[s + 1] = s;
                    ids[s + 1] = unkId;
                }
            }
        }
        List<int[]> spans = new ArrayList<>();
        int end = n;
        int fusedEnd = -1;
        int fusedStart = -1;
        while (end > 0) {
            int s = from[end];
            if (unkId != null && ids[end] == unkId) {
                if (fusedEnd < 0) {
                    fusedEnd = end;
                }
                fusedStart = s;
            } else {
                if (fusedEnd >= 0) {
                    spans.add(new int[] {fusedStart, fusedEnd});
                    fusedEnd = -1;
                }
                spans.add(new int[] {s, end});
            }
            end = s;
        }
        if (fusedEnd >= 0) {
            spans.add(new int[] {fusedStart, fusedEnd});
        }
        List<Token> out = new ArrayList<>(spans.size());
        for (int k = spans.size() - 1; k >= 0; k--) {
            int us = unitAt[spans.get(k)[0]];
            int ue = unitAt[spans.get(k)[1]];
            String piece = word.substring(us, ue);
            Integer id = vocab.get(piece);
            if (id == null) {
                if (byteFallback) {
                    List<Token> bytes = new ArrayList<>();
                    for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                        String bs = String.format("<0x%02X>", b & 0xFF);
                        Integer bid = vocab.get(bs);
                        if (bid == null) {
                            bytes = null;
                            break;
                        }
                        bytes.add(new Token(bid, bs, us, ue));
                    }
                    if (bytes != null) {
                        out.addAll(bytes);
                        continue;
                    }
                }
                if (unkId == null) {
                    throw new TokenizerException("Unigram: missing unk_id");
                }
                id = unkId;
            }
            out.add(new Token(id, piece, us, ue));
        }
        return out;
    }

    @Override
    public int tokenToId(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public String idToToken(int id) {
        return id >= 0 && id < pieces.size() ? pieces.get(id) : null;
    }

    @Override
    public int vocabSize() {
        return pieces.size();
    }

    @Override
    public Map<String, Integer> vocab() {
        return vocab;
    }
}
