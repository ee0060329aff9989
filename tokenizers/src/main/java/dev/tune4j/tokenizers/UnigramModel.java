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
    private final int maxPieceChars;

    UnigramModel(List<String> pieces, double[] scores, Integer unkId, boolean byteFallback) {
        this.pieces = pieces;
        this.scores = scores;
        this.unkId = unkId;
        this.byteFallback = byteFallback;
        vocab = new HashMap<>(pieces.size() * 2);
        double min = Double.POSITIVE_INFINITY;
        int maxLen = 1;
        for (int i = 0; i < pieces.size(); i++) {
            vocab.put(pieces.get(i), i);
            min = Math.min(min, scores[i]);
            maxLen = Math.max(maxLen, pieces.get(i).codePointCount(0, pieces.get(i).length()));
        }
        minScore = pieces.isEmpty() ? 0 : min;
        maxPieceChars = maxLen;
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
            if (s > 0 && from[s] < 0) {
                // unreachable position cannot happen: each character is at least an unknown
            }
            double here = best[s];
            boolean single = false;
            int limit = Math.min(n, s + maxPieceChars);
            for (int e = s + 1; e <= limit; e++) {
                Integer id = vocab.get(word.substring(unitAt[s], unitAt[e]));
                if (id == null) {
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
