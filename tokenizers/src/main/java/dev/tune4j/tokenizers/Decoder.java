package dev.tune4j.tokenizers;

import java.util.List;

/** Turns token strings back into text (reference trait {@code Decoder}, method {@code decode_chain}). */
interface Decoder {
    List<String> decodeChain(List<String> tokens);
}
