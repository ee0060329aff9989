package dev.tune4j.quant;

/**
 * The result of 8-bit blockwise quantization ({@code bitsandbytes.functional.quantize_blockwise}):
 * one code per element and one float32 absmax per block. Arrays are shared, not copied.
 *
 * @param codes     one 8-bit code (index into {@code code}) per element
 * @param absmax    per-block absmax as stored (unclamped for full blocks, clamped to 1e-38 for a
 *                  trailing partial block)
 * @param code      the 256-entry code table used
 * @param blocksize elements per block
 */
public record BlockwiseQuantState(byte[] codes, float[] absmax, float[] code, int blocksize) {
}
