package dev.tune4j.tokenizers;

/** Cuts the normalized text into words (reference trait {@code PreTokenizer}). */
interface PreTokenizer {
    void preTokenize(PreTokenizedString pts);
}
