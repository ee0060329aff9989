package dev.tune4j.tokenizers;

import java.util.List;
import java.util.Map;

/** Turns one pre-tokenized word into tokens (reference trait {@code Model}). */
interface Model {
    /** Tokens of {@code word} with offsets in UTF-16 units of {@code word}. */
    List<Token> tokenize(String word);

    /** Id of a vocabulary string, or -1. */
    int tokenToId(String token);

    /** Vocabulary string of an id, or null. */
    String idToToken(int id);

    int vocabSize();

    /** The whole vocabulary (string to id). */
    Map<String, Integer> vocab();
}
