/**
 * Training: {@link dev.tune4j.train.TrainingArguments} and the learning-rate schedules of
 * transformers ({@link dev.tune4j.train.LrSchedules}, {@link dev.tune4j.train.LrScheduler}).
 */
package dev.tune4j.train;
