package dev.tune4j.models;

import dev.tune4j.tensor.Tensor;

/**
 * Rotary position tables as transformers' LlamaRotaryEmbedding computes them (float32 inverse
 * frequencies, the rope_scaling variants of modeling_rope_utils, the attention scaling that yarn
 * applies to cos and sin).
 */
public final class RotaryEmbedding {
    private final int dim;
    private final double base;
    private final RopeScaling scaling;
    private final int maxPositionEmbeddings;
    private final float[] invFreq;
    private final float attentionScaling;

    public RotaryEmbedding(LlamaConfig c) {
        this.dim = c.headDim();
        this.base = c.ropeTheta();
        this.scaling = c.ropeScaling();
        this.maxPositionEmbeddings = c.maxPositionEmbeddings();
        float[] inv = defaultInvFreq(base);
        float attn = 1f;
        switch (scaling.type()) {
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] = (float) (inv[i] / scaling.factor());
                }
            }
            case "llama3" -> inv = llama3(inv);
            case "yarn" -> {
                inv = yarn();
                attn = (float) (scaling.attentionFactor() != null ? scaling.attentionFactor()
                        : (scaling.factor() <= 1 ? 1.0 : 0.1 * Math.log(scaling.factor()) + 1.0));
            }
            default -> { }
        }
        this.invFreq = inv;
        this.attentionScaling = attn;
    }

    /** inv_freq[i] = 1 / base^(2i/dim), each step rounded to float32 as torch does. */
    private float[] defaultInvFreq(double theta) {
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) dim;
            float pow = (float) Math.pow(theta, exponent);
            inv[i] = 1.0f / pow;
        }
        return inv;
    }

    private float[] llama3(float[] inv) {
        double factor = scaling.factor();
        double low = scaling.lowFreqFactor();
        double high = scaling.highFreqFactor();
        double oldLen = scaling.originalMaxPositionEmbeddings() != null ? scaling.originalMaxPositionEmbeddings() : 8192;
        double lowWavelen = oldLen / low;
        double highWavelen = oldLen / high;
        float[] out = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            float f = inv[i];
            float wavelen = (float) (2 * Math.PI) / f;
            float scaled = wavelen > lowWavelen ? (float) (f / factor) : f;
            boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            if (medium) {
                float smooth = (float) ((oldLen / wavelen - low) / (high - low));
                scaled = (1 - smooth) * scaled / (float) factor + smooth * scaled;
            }
            out[i] = scaled;
        }
        return out;
    }

    private float[] yarn() {
        double factor = scaling.factor();
        int maxPos = scaling.originalMaxPositionEmbeddings() != null ? scaling.originalMaxPositionEmbeddings() : maxPositionEmbeddings;
        double lowD = Math.floor(correctionDim(scaling.betaFast(), maxPos));
        double highD = Math.ceil(correctionDim(scaling.betaSlow(), maxPos));
        double lo = Math.max(lowD, 0);
        double hi = Math.min(highD, dim - 1);
        if (lo == hi) {
            hi += 0.001;
        }
        float[] out = new float[dim / 2];
        for (int i = 0; i < out.length; i++) {
            float exponent = (float) (2 * i) / (float) dim;
            float posFreq = (float) Math.pow(base, exponent);
            float extrapolation = 1.0f / posFreq;
            float interpolation = 1.0f / ((float) factor * posFreq);
            float ramp = (float) Math.min(1, Math.max(0, (i - lo) / (hi - lo)));
            float extrapolationFactor = 1 - ramp;
            out[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        return out;
    }

    private double correctionDim(double rotations, int maxPos) {
        return dim * Math.log(maxPos / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /** Dynamic NTK: the base grows once sequences run past max_position_embeddings. */
    private float[] invFreqFor(int seqLen) {
        if (!"dynamic".equals(scaling.type()) || seqLen <= maxPositionEmbeddings) {
            return invFreq;
        }
        double f = scaling.factor();
        double newBase = base * Math.pow(f * seqLen / maxPositionEmbeddings - (f - 1), (double) dim / (dim - 2));
        return defaultInvFreq(newBase);
    }

    /** cos and sin tables [n, dim/2] for the given flat positions. */
    public Tensor[] tables(int[] positions) {
        int maxPos = 0;
        for (int p : positions) {
            maxPos = Math.max(maxPos, p);
        }
        float[] inv = invFreqFor(maxPos + 1);
        int half = dim / 2;
        float[] cos = new float[positions.length * half];
        float[] sin = new float[positions.length * half];
        for (int i = 0; i < positions.length; i++) {
            float p = positions[i];
            for (int j = 0; j < half; j++) {
                float freq = inv[j] * p;
                cos[i * half + j] = (float) Math.cos(freq) * attentionScaling;
                sin[i * half + j] = (float) Math.sin(freq) * attentionScaling;
            }
        }
        return new Tensor[] {Tensor.of(cos, positions.length, half), Tensor.of(sin, positions.length, half)};
    }
}
