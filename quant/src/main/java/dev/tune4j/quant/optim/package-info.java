/**
 * bitsandbytes' 8-bit optimizers: {@link dev.tune4j.quant.optim.AdamW8bit}, which the Trainer
 * creates for {@code TrainingArguments.optim("adamw_8bit")}.
 */
package dev.tune4j.quant.optim;
