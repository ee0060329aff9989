package dev.tune4j.tokenizers;

/**
 * A token matched in the raw text before the model runs, as {@code tokenizers.AddedToken}.
 *
 * @param content the exact text of the token
 * @param singleWord match only when not inside a word
 * @param lstrip also swallow the whitespace on its left
 * @param rstrip also swallow the whitespace on its right
 * @param normalized match against the normalized text (true) or the raw text (false)
 * @param special a special token (skipped by {@code decode(ids, true)})
 */
public record AddedToken(String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized,
                         boolean special) {
    /** Python {@code AddedToken(content, special=special)}: normalized unless special. */
    public static AddedToken of(String content, boolean special) {
        return new AddedToken(content, false, false, false, !special, special);
    }
}
