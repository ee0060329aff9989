/**
 * bitsandbytes-compatible quantization: NF4/FP4 blockwise 4-bit with double quantization
 * ({@link dev.tune4j.quant.Functional}, {@link dev.tune4j.quant.QuantState}), 8-bit blockwise
 * quantization with the dynamic maps, fused 4-bit matrix products, and transformers'
 * {@link dev.tune4j.quant.BitsAndBytesConfig}.
 *
 * <p>Quantized tensors are bit-identical to bitsandbytes' default (CPU, pure torch) backend and
 * read and write the tensors of a Hugging Face bnb-4bit checkpoint
 * ({@code weight}, {@code weight.absmax}, {@code weight.quant_map}, {@code weight.nested_absmax},
 * {@code weight.nested_quant_map}, {@code weight.quant_state.bitsandbytes__nf4}).
 */
package dev.tune4j.quant;
