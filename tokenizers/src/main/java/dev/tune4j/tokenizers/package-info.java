/**
 * Hugging Face tokenizers in pure Java: reads {@code tokenizer.json} and gives the same ids, tokens,
 * offsets and decoded text as the reference Rust implementation ({@code tokenizers} 0.21).
 *
 * <ul>
 *   <li>{@link dev.tune4j.tokenizers.Tokenizer} — Python {@code tokenizers.Tokenizer}: the
 *       normalizer, pre-tokenizer, model (BPE, WordPiece, Unigram, WordLevel), post-processor and
 *       decoder of a tokenizer.json, added tokens, truncation and padding.</li>
 *   <li>{@link dev.tune4j.tokenizers.AutoTokenizer} / {@link dev.tune4j.tokenizers.PretrainedTokenizer}
 *       — transformers' {@code AutoTokenizer.from_pretrained}: tokenizer_config.json and
 *       special_tokens_map.json on top (special tokens, add_bos/add_eos, chat templates).</li>
 *   <li>{@link dev.tune4j.tokenizers.BpeTrainer} — training a byte-level BPE.</li>
 * </ul>
 *
 * <p>How the reference is mirrored: text is processed as Java strings, with one alignment per
 * UTF-16 unit where the reference keeps one per UTF-8 byte (both units of a surrogate pair share
 * one, as all bytes of a character do there); offsets are converted to code points at the end, as
 * Python reports them. Where the reference relies on Unicode tables older than the JDK's (BERT's
 * control, accent and punctuation tests), the differences are listed in the code. Regular
 * expressions of tokenizer.json are Oniguruma patterns; they run on {@code java.util.regex} with
 * Unicode character classes and case folding (see {@code Regexes}).
 *
 * <p>Known differences: offsets (never ids) can differ from the reference for text whose canonical
 * decomposition reorders combining marks across characters; Java strings holding lone surrogates
 * are read with each replaced by U+FFFD (the JNI bridge used for comparison makes three).
 */
package dev.tune4j.tokenizers;
