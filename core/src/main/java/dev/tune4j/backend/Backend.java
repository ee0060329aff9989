package dev.tune4j.backend;

import dev.tune4j.tensor.Tensor;

/**
 * The op set models are written against. Activations are 2-D [tokens, features] F32 tensors
 * (tokens = batch x sequence, row-major by batch then position); weights may be any float dtype.
 *
 * <p>Coarse ops (attention, RMSNorm, RoPE, SwiGLU) are first-class: they are where the time goes
 * and they map onto fused kernels of other runtimes.
 */
public interface Backend {
    /** A short name such as {@code "cpu"}. */
    String name();

    /** Rows of {@code table} [vocab, hidden] picked by {@code ids}: [ids.length, hidden]. */
    Tensor embedding(Tensor table, int[] ids);

    /** {@code x W^T + b}: x [n, in], W [out, in] (torch Linear layout), b [out] or null. */
    Tensor linear(Tensor x, Tensor weight, Tensor bias);

    /** {@code x W + b}: x [n, in], W [in, out] (GPT-2 Conv1D layout), b [out] or null. */
    Tensor conv1d(Tensor x, Tensor weight, Tensor bias);

    /** Elementwise sum of two tensors of the same shape. */
    Tensor add(Tensor a, Tensor b);

    /** {@code x * rsqrt(mean(x^2) + eps) * w} per row. */
    Tensor rmsNorm(Tensor x, Tensor weight, float eps);

    /** {@code (x - mean) / sqrt(var + eps) * w + b} per row (biased variance). */
    Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps);

    /** {@code silu(gate) * up}. */
    Tensor swiglu(Tensor gate, Tensor up);

    /** An activation by its transformers name: gelu_new, gelu_pytorch_tanh, gelu, silu, relu. */
    Tensor activation(Tensor x, String name);

    /**
     * Rotary embedding ("rotate_half" convention) applied to every head of x [n, heads * headDim],
     * with per-row tables cos/sin [n, headDim / 2].
     */
    Tensor rope(Tensor x, int heads, Tensor cos, Tensor sin);

    /**
     * softmax(q k^T * scale + mask) v for q [batch * qLen, heads * headDim] against the key and
     * value buffers described by {@code spec}; returns [batch * qLen, heads * headDim].
     */
    Tensor attention(Tensor q, float[] keys, float[] values, AttentionSpec spec);

    /**
     * Mean cross-entropy of logits [n, vocab] against labels (ignored where -100); NaN when no
     * label counts, as torch returns.
     */
    float crossEntropy(Tensor logits, int[] labels);
}
