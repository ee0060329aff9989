package dev.tune4j.models.llama;

import dev.tune4j.backend.AttentionSpec;
import dev.tune4j.backend.Backend;
import dev.tune4j.models.KvCache;
import dev.tune4j.models.LlamaConfig;
import dev.tune4j.models.ModelConfig;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.models.RotaryEmbedding;
import dev.tune4j.nn.Embedding;
import dev.tune4j.nn.LinearLayer;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.ModuleList;
import dev.tune4j.nn.RmsNorm;
import dev.tune4j.nn.WeightPath;
import dev.tune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * LlamaForCausalLM, and through its config flags MistralForCausalLM and Qwen2ForCausalLM: the
 * same decoder, read top to bottom.
 *
 * <pre>
 * h = embed_tokens(ids)                                   // (tokens, hidden)
 * for each layer:
 *   x = input_layernorm(h)
 *   q, k, v = q_proj(x), k_proj(x), v_proj(x)             // (tokens, heads*d), (tokens, kvHeads*d)
 *   q, k = rope(q), rope(k)
 *   h = h + o_proj(attention(q, cache + k, cache + v))    // GQA: kv head j serves q heads j*rep..
 *   h = h + down_proj(silu(gate_proj(x')) * up_proj(x'))  // x' = post_attention_layernorm(h)
 * logits = lm_head(norm(h))
 * </pre>
 */
public class LlamaForCausalLM extends PreTrainedCausalLM {
    private final LlamaConfig config;
    private final RotaryEmbedding rope;
    private final LlamaModel model;

    public LlamaForCausalLM(LlamaConfig config, WeightPath root, Backend backend) {
        super(backend);
        this.config = config;
        this.rope = new RotaryEmbedding(config);
        this.model = register("model", new LlamaModel(config, root.pp("model"), backend));
        register("lm_head", root.pp("lm_head").outputHead(backend, config.hiddenSize(), config.vocabSize(),
                config.tieWordEmbeddings() ? model.embedTokens.weight() : null));
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    protected int kvWidth() {
        return config.numKeyValueHeads() * config.headDim();
    }

    @Override
    protected Pass run(int[] ids, int batch, int seq, int[] positions, int[][] mask, KvCache cache,
                       boolean hidden, boolean lastOnly) {
        cache.reserve(seq);
        Tensor[] cosSin = rope.tables(positions);
        List<Tensor> states = hidden ? new ArrayList<>() : null;
        Tensor h = model.embedTokens.forward(ids);
        for (int i = 0; i < model.layers.size(); i++) {
            if (hidden) {
                states.add(h);
            }
            DecoderLayer layer = model.layers.get(i);
            int index = i;
            h = runLayer(layer, h, batch, seq, cache, (x, c) -> layer.forward(x, batch, seq, cosSin, mask, c, index));
        }
        return finish(h, model.norm::forward, batch, seq, cache, states, lastOnly);
    }

    /** The decoder stack: {@code model.*} keys. */
    static final class LlamaModel extends Module {
        final Embedding embedTokens;
        final ModuleList<DecoderLayer> layers;
        final RmsNorm norm;

        LlamaModel(LlamaConfig c, WeightPath p, Backend backend) {
            embedTokens = register("embed_tokens", new Embedding(backend, p.pp("embed_tokens"), c.vocabSize(), c.hiddenSize()));
            layers = register("layers", new ModuleList<>());
            for (int i = 0; i < c.numHiddenLayers(); i++) {
                layers.add(new DecoderLayer(c, p.pp("layers").pp(i), backend, i));
            }
            norm = register("norm", new RmsNorm(backend, p.pp("norm"), c.hiddenSize(), c.rmsNormEps()));
        }
    }

    /** One pre-norm block: attention then MLP, each added to the residual stream. */
    static final class DecoderLayer extends Module {
        private final Backend backend;
        private final Attention attn;
        private final Mlp mlp;
        private final RmsNorm inputNorm;
        private final RmsNorm postNorm;

        DecoderLayer(LlamaConfig c, WeightPath p, Backend backend, int index) {
            this.backend = backend;
            attn = register("self_attn", new Attention(c, p.pp("self_attn"), backend, index));
            mlp = register("mlp", new Mlp(c, p.pp("mlp"), backend));
            inputNorm = register("input_layernorm", new RmsNorm(backend, p.pp("input_layernorm"), c.hiddenSize(), c.rmsNormEps()));
            postNorm = register("post_attention_layernorm",
                    new RmsNorm(backend, p.pp("post_attention_layernorm"), c.hiddenSize(), c.rmsNormEps()));
        }

        Tensor forward(Tensor h, int batch, int seq, Tensor[] cosSin, int[][] mask, KvCache cache, int layer) {
            Tensor a = attn.forward(inputNorm.forward(h), batch, seq, cosSin, mask, cache, layer);
            h = backend.add(h, a);
            return backend.add(h, mlp.forward(postNorm.forward(h)));
        }
    }

    /** Grouped-query attention with RoPE; q/k/v biases for Qwen2, a sliding window for Mistral. */
    static final class Attention extends Module {
        private final Backend backend;
        private final LlamaConfig c;
        private final int window;

        Attention(LlamaConfig c, WeightPath p, Backend backend, int index) {
            this.backend = backend;
            this.c = c;
            this.window = c.slidingWindowFor(index);
            int h = c.hiddenSize();
            int q = c.numAttentionHeads() * c.headDim();
            int kv = c.numKeyValueHeads() * c.headDim();
            register("q_proj", p.pp("q_proj").linear(backend, h, q, c.qkvBias()));
            register("k_proj", p.pp("k_proj").linear(backend, h, kv, c.qkvBias()));
            register("v_proj", p.pp("v_proj").linear(backend, h, kv, c.qkvBias()));
            register("o_proj", p.pp("o_proj").linear(backend, q, h, c.attentionBias()));
        }

        Tensor forward(Tensor x, int batch, int seq, Tensor[] cosSin, int[][] mask, KvCache cache, int layer) {
            Tensor q = child("q_proj", LinearLayer.class).forward(x);       // (tokens, heads*d)
            Tensor k = child("k_proj", LinearLayer.class).forward(x);       // (tokens, kvHeads*d)
            Tensor v = child("v_proj", LinearLayer.class).forward(x);
            q = backend.rope(q, c.numAttentionHeads(), cosSin[0], cosSin[1]);
            k = backend.rope(k, c.numKeyValueHeads(), cosSin[0], cosSin[1]);
            var spec = new AttentionSpec(batch, seq, cache.length(), cache.capacity(), c.numAttentionHeads(),
                    c.numKeyValueHeads(), c.headDim(), (float) (1.0 / Math.sqrt(c.headDim())), mask, window, AttentionSpec.MaskedRows.ALL_KEYS);
            Tensor o = backend.attention(q, k, v, cache, layer, spec);
            return child("o_proj", LinearLayer.class).forward(o);
        }
    }

    /** SwiGLU MLP: down(silu(gate(x)) * up(x)). */
    static final class Mlp extends Module {
        private final Backend backend;

        Mlp(LlamaConfig c, WeightPath p, Backend backend) {
            this.backend = backend;
            int h = c.hiddenSize();
            int i = c.intermediateSize();
            register("gate_proj", p.pp("gate_proj").linear(backend, h, i, c.mlpBias()));
            register("up_proj", p.pp("up_proj").linear(backend, h, i, c.mlpBias()));
            register("down_proj", p.pp("down_proj").linear(backend, i, h, c.mlpBias()));
        }

        Tensor forward(Tensor x) {
            Tensor g = child("gate_proj", LinearLayer.class).forward(x);
            Tensor u = child("up_proj", LinearLayer.class).forward(x);
            return child("down_proj", LinearLayer.class).forward(backend.swiglu(g, u));
        }
    }
}
