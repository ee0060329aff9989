/**
 * Text generation, the counterpart of transformers' {@code generation} package.
 *
 * <ul>
 *   <li>{@link dev.tune4j.generation.GenerationConfig}: {@code GenerationConfig} with the same
 *       field names and defaults as transformers 4.45, read from and written to
 *       {@code generation_config.json}.</li>
 *   <li>{@link dev.tune4j.generation.LogitsProcessor} and its implementations: the processors and
 *       warpers of {@code logits_process.py}, applied in the order {@code _get_logits_processor}
 *       uses ({@link dev.tune4j.generation.LogitsProcessorList#fromConfig}).</li>
 *   <li>{@link dev.tune4j.generation.StoppingCriteria}, {@link dev.tune4j.generation.TokenStreamer} and
 *       {@link dev.tune4j.generation.TextStreamer}.</li>
 *   <li>{@link dev.tune4j.generation.Sampling}: argmax and seeded multinomial draws. Seeded runs are
 *       reproducible, but the sample stream is not torch's.</li>
 *   <li>{@link dev.tune4j.generation.Generator}: the greedy / multinomial sampling loop of
 *       {@code GenerationMixin._sample}, written against {@link dev.tune4j.generation.IncrementalDecoder}.</li>
 * </ul>
 */
package dev.tune4j.generation;
