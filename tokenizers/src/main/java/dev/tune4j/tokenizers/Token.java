package dev.tune4j.tokenizers;

/** One token of a model's output: id, vocabulary string and span in the piece (UTF-16 units). */
record Token(int id, String value, int start, int end) {}
