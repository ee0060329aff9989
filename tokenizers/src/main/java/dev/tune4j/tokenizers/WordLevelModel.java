package dev.tune4j.tokenizers;

import java.util.List;
import java.util.Map;

/** Whole-word lookup, as the reference {@code models::wordlevel::WordLevel}. */
final class WordLevelModel implements Model {
    final Map<String, Integer> vocab;
    final String[] vocabR;
    final String unkToken;

    WordLevelModel(Map<String, Integer> vocab, String unkToken) {
        this.vocab = vocab;
        this.unkToken = unkToken;
        int max = -1;
        for (int id : vocab.values()) max = Math.max(max, id);
        vocabR = new String[max + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) vocabR[e.getValue()] = e.getKey();
    }

    @Override
    public List<Token> tokenize(String word) {
        Integer id = vocab.get(word);
        if (id != null) {
            return List.of(new Token(id, word, 0, word.length()));
        }
        Integer unk = unkToken == null ? null : vocab.get(unkToken);
        if (unk == null) {
            throw new TokenizerException("WordLevel: \"" + word + "\" is not in the vocabulary and unk_token \""
                    + unkToken + "\" is missing");
        }
        return List.of(new Token(unk, unkToken, 0, word.length()));
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
