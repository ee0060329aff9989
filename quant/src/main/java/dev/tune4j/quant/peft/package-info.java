/**
 * peft's helpers for training adapters over quantized models (QLoRA):
 * {@link dev.tune4j.quant.peft.KbitTraining#prepareModelForKbitTraining}.
 */
package dev.tune4j.quant.peft;
