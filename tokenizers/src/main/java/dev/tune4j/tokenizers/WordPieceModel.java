package dev.tune4j.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Greedy longest-match-first WordPiece, as the reference {@code models::wordpiece::WordPiece}. */
final class WordPieceModel implements Model {
    final Map<String, Integer> vocab;
    final String[] vocabR;
    final String unkToken;
    final String prefix;
    final int maxInputCharsPerWord;

    WordPieceModel(Map<String, Integer> vocab, String unkToken, String prefix, int maxInputCharsPerWord) {
        this.vocab = vocab;
        this.unkToken = unkToken;
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        int max = -1;
        for (int id : vocab.values()) max = Math.max(max, id);
        vocabR = new String[max + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) vocabR[e.getValue()] = e.getKey();
    }

    private Token unk(String word) {
        Integer id = vocab.get(unkToken);
        if (id == null) {
            throw new TokenizerException("WordPiece: unk_token \"" + unkToken + "\" is not in the vocabulary");
        }
        return new Token(id, unkToken, 0, word.length());
    }

    /** Finished words (the reference has no cache; results are the same, lookups are fewer). */
    private final java.util.concurrent.ConcurrentHashMap<String, int[]> cache = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public List<Token> tokenize(String word) {
        int[] packed = cache.get(word);
        if (packed != null) {
            List<Token> out = new ArrayList<>(packed.length / 3);
            for (int i = 0; i < packed.length; i += 3) {
                out.add(new Token(packed[i], vocabR[packed[i]], packed[i + 1], packed[i + 2]));
            }
            return out;
        }
        List<Token> out = compute(word);
        if (word.length() < 256 && cache.size() < 10_000) {
            int[] p = new int[out.size() * 3];
            for (int i = 0; i < out.size(); i++) {
                Token t = out.get(i);
                if (!t.value().equals(vocabR[t.id()])) {
                    return out; // a token whose string is not its vocabulary entry: do not cache
                }
                p[3 * i] = t.id();
                p[3 * i + 1] = t.start();
                p[3 * i + 2] = t.end();
            }
            cache.put(word, p);
        }
        return out;
    }

    private List<Token> compute(String word) {
        if (word.codePointCount(0, word.length()) > maxInputCharsPerWord) {
            return List.of(unk(word));
        }
        List<Token> out = new ArrayList<>();
        int start = 0;
        int n = word.length();
        while (start < n) {
            int end = n;
            Token cur = null;
            while (start < end) {
                String sub = word.substring(start, end);
                if (start > 0) {
                    sub = prefix + sub;
                }
                Integer id = vocab.get(sub);
                if (id != null) {
                    cur = new Token(id, sub, start, end);
                    break;
                }
                end -= Character.charCount(word.codePointBefore(end));
            }
            if (cur == null) {
                return List.of(unk(word));
            }
            out.add(cur);
            start = end;
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
        return id >= 0 && id < vocabR.length ? vocabR[id] : null;
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public Map<String, Integer> vocab() {
        return vocab;
    }
}
