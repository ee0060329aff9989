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
     * Appends the new keys and values k, v [batch * qLen, kvHeads * headDim] to layer
     * {@code layer} of {@code cache}, then computes softmax(q k^T * scale + mask) v for q
     * [batch * qLen, heads * headDim] over every filled slot; returns [batch * qLen, heads * headDim].
     * Gradients flow to q and the new k and v (earlier slots are constants).
     */
    Tensor attention(Tensor q, Tensor k, Tensor v, KvBuffer cache, int layer, AttentionSpec spec);

    /**
     * Mean cross-entropy of logits [n, vocab] against labels (ignored where -100), as a one-element
     * tensor; NaN when no label counts, as torch returns.
     */
    Tensor crossEntropyLoss(Tensor logits, int[] labels);

    /** {@link #crossEntropyLoss} as a float. */
    default float crossEntropy(Tensor logits, int[] labels) {
        return crossEntropyLoss(logits, labels).getFloat(0);
    }

    /** Column blocks of x [n, sum(widths)]: one [n, widths[i]] tensor per width. */
    Tensor[] split(Tensor x, int... widths);

    /** Rows {@code rows} of x [n, w]: [rows.length, w]. */
    Tensor selectRows(Tensor x, int[] rows);

    /** {@code x * s}. */
    Tensor scale(Tensor x, float s);

    /** Elementwise product of two tensors of the same shape. */
    Tensor mul(Tensor a, Tensor b);

    /**
     * Each row of x [n, w] multiplied elementwise by {@code v} [w] (a per-feature scale, such as
     * DoRA's magnitude ratio).
     */
    Tensor mulRowVector(Tensor x, Tensor v);

    /**
     * Inverted dropout: zeroes each element with probability {@code p} and scales the rest by
     * 1/(1-p), drawing from {@code random}; the identity when p is 0.
     */
    Tensor dropout(Tensor x, float p, java.util.random.RandomGenerator random);

    /**
     * {@code x W^T + b} with W a bitsandbytes 4-bit weight [out, in]: x [n, in], b [out] or null;
     * returns [n, out]. The 4-bit layer computes the product itself ({@code compute}: its fused
     * kernels and, when autograd is on, its backward node); a backend that records or offloads ops
     * overrides this to see the product as one op (ONNX Runtime: {@code com.microsoft.MatMulBnb4}
     * plus an Add for the bias). The default just runs {@code compute}.
     *
     * <pre>{@code
     * // bitsandbytes: bnb.matmul_4bit(x, W.t(), quant_state=W.quant_state, bias=b)
     * Tensor y = backend.linear4bit(x, weight, bias, this::product);
     * }</pre>
     *
     * @param compute the layer's own computation of {@code x W^T + b} from x, bias included
     */
    default Tensor linear4bit(Tensor x, Bnb4Weight weight, Tensor bias, java.util.function.UnaryOperator<Tensor> compute) {
        return compute.apply(x);
    }
}
