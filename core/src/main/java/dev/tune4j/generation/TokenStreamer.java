package dev.tune4j.generation;

/**
 * Receives tokens as they are generated; the Java side of transformers' {@code BaseStreamer}
 * ({@code put} / {@code end}). A text streamer decodes the ids with the tokenizer.
 *
 * <p>{@link #put} is called once per step for every row that was still unfinished when the step
 * began, in row order, so a row's eos token is delivered and its padding is not. {@link #end} is
 * called once, when generation finishes normally. Both run on the generating thread.
 */
public interface TokenStreamer {
    /** A new token of row {@code row}. */
    void put(int row, int tokenId);

    /** Generation is over. */
    default void end() {}
}
