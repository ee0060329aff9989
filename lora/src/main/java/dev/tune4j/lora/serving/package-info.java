/**
 * Multi-adapter serving: {@link dev.tune4j.lora.serving.LoraServer} runs many LoRA adapters over one
 * base model with continuous batching (vLLM's multi-LoRA serving, S-LoRA / Punica style segmented
 * LoRA computation).
 */
package dev.tune4j.lora.serving;
