/**
 * Training data: {@link dev.tune4j.data.Dataset} (datasets' in-memory table and its loaders),
 * {@link dev.tune4j.data.IterableDataset} for streaming, {@link dev.tune4j.data.SupervisedExample}
 * for prompt-masked labels, and the transformers collators
 * ({@link dev.tune4j.data.DataCollatorForSeq2Seq}, {@link dev.tune4j.data.DataCollatorWithPadding},
 * {@link dev.tune4j.data.DataCollatorForLanguageModeling}) producing a {@link dev.tune4j.data.Batch}.
 */
package dev.tune4j.data;
