package dev.tune4j.tokenizers;

import java.util.List;

/** Adds special tokens and adjusts offsets after the model (reference trait {@code PostProcessor}). */
interface PostProcessor {
    /** How many tokens this adds to a single sequence or a pair. */
    int addedTokens(boolean isPair);

    /** Processes one encoding (or two, for a pair) in place of the list. */
    List<Encoding> processEncodings(List<Encoding> encodings, boolean addSpecialTokens);
}
