package dev.tune4j.tokenizers;

/** Normalizes a piece of text in place, tracking alignments (reference trait {@code Normalizer}). */
interface Normalizer {
    void normalize(NormalizedString ns);
}
