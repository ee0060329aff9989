package dev.tune4j.models.gpt2;

import dev.tune4j.backend.AttentionSpec;
import dev.tune4j.backend.Backend;
import dev.tune4j.models.Gpt2Config;
import dev.tune4j.models.KvCache;
import dev.tune4j.models.ModelConfig;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Conv1D;
import dev.tune4j.nn.Embedding;
import dev.tune4j.nn.LayerNorm;
import dev.tune4j.nn.LinearLayer;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.ModuleList;
import dev.tune4j.nn.WeightPath;
import dev.tune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT2LMHeadModel.
 *
 * <pre>
 * h = wte(ids) + wpe(positions)                       // (tokens, n_embd)
 * for each block:
 *   h = h + c_proj(attention(split_qkv(c_attn(ln_1(h)))))
 *   h = h + mlp.c_proj(gelu_new(c_fc(ln_2(h))))
 * logits = ln_f(h) . wte^T                             // tied head
 * </pre>
 */
public class GPT2LMHeadModel extends PreTrainedCausalLM {
    private final Gpt2Config config;
    private final Gpt2Model transformer;

    public GPT2LMHeadModel(Gpt2Config config, WeightPath root, Backend backend) {
        super(backend);
        this.config = config;
        this.transformer = register("transformer", new Gpt2Model(config, root.pp("transformer"), backend));
        register("lm_head", root.pp("lm_head").outputHead(backend, config.hiddenSize(), config.vocabSize(),
                config.tieWordEmbeddings() ? transformer.wte.weight() : null));
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    protected int kvWidth() {
        return config.hiddenSize();
    }

    @Override
    protected Pass run(int[] ids, int batch, int seq, int[] positions, int[][] mask, KvCache cache,
                       boolean hidden, boolean lastOnly) {
        for (int p : positions) {
            if (p < 0 || p >= config.nPositions()) {
                throw new IllegalArgumentException("position " + p + " outside GPT-2's n_positions " + config.nPositions());
            }
        }
        cache.reserve(seq);
        List<Tensor> states = hidden ? new ArrayList<>() : null;
        Tensor h = backend.add(transformer.wte.forward(ids), transformer.wpe.forward(positions));
        for (int i = 0; i < transformer.h.size(); i++) {
            if (hidden) {
                states.add(h);
            }
            Block block = transformer.h.get(i);
            int index = i;
            h = runLayer(block, h, batch, seq, cache, (x, c) -> block.forward(x, batch, seq, mask, c, index));
        }
        return finish(h, transformer.lnF::forward, batch, seq, cache, states, lastOnly);
    }

    /** {@code transformer.*}: embeddings, blocks, final norm. */
    static final class Gpt2Model extends Module {
        final Embedding wte;
        final Embedding wpe;
        final ModuleList<Block> h;
        final LayerNorm lnF;

        Gpt2Model(Gpt2Config c, WeightPath p, Backend backend) {
            wte = register("wte", new Embedding(backend, p.pp("wte"), c.vocabSize(), c.hiddenSize()));
            wpe = register("wpe", new Embedding(backend, p.pp("wpe"), c.nPositions(), c.hiddenSize()));
            h = register("h", new ModuleList<>());
            for (int i = 0; i < c.numHiddenLayers(); i++) {
                h.add(new Block(c, p.pp("h").pp(i), backend, i));
            }
            lnF = register("ln_f", new LayerNorm(backend, p.pp("ln_f"), c.hiddenSize(), c.layerNormEpsilon()));
        }
    }

    /** A pre-LN transformer block. */
    static final class Block extends Module {
        private final Backend backend;
        private final LayerNorm ln1;
        private final Attention attn;
        private final LayerNorm ln2;
        private final Mlp mlp;

        Block(Gpt2Config c, WeightPath p, Backend backend, int index) {
            this.backend = backend;
            ln1 = register("ln_1", new LayerNorm(backend, p.pp("ln_1"), c.hiddenSize(), c.layerNormEpsilon()));
            attn = register("attn", new Attention(c, p.pp("attn"), backend, index));
            ln2 = register("ln_2", new LayerNorm(backend, p.pp("ln_2"), c.hiddenSize(), c.layerNormEpsilon()));
            mlp = register("mlp", new Mlp(c, p.pp("mlp"), backend));
        }

        Tensor forward(Tensor h, int batch, int seq, int[][] mask, KvCache cache, int layer) {
            h = backend.add(h, attn.forward(ln1.forward(h), batch, seq, mask, cache, layer));
            return backend.add(h, mlp.forward(ln2.forward(h)));
        }
    }

    /** Multi-head attention with a fused q|k|v projection (c_attn). */
    static final class Attention extends Module {
        private final Backend backend;
        private final Gpt2Config c;
        private final float scale;

        Attention(Gpt2Config c, WeightPath p, Backend backend, int index) {
            this.backend = backend;
            this.c = c;
            int e = c.hiddenSize();
            int d = e / c.numAttentionHeads();
            double s = c.scaleAttnWeights() ? 1.0 / Math.sqrt(d) : 1.0;
            if (c.scaleAttnByInverseLayerIdx()) {
                s /= index + 1;
            }
            this.scale = (float) s;
            register("c_attn", new Conv1D(backend, p.pp("c_attn"), e, 3 * e));
            register("c_proj", new Conv1D(backend, p.pp("c_proj"), e, e));
        }

        Tensor forward(Tensor x, int batch, int seq, int[][] mask, KvCache cache, int layer) {
            int e = c.hiddenSize();
            Tensor qkv = child("c_attn", LinearLayer.class).forward(x);   // (tokens, 3*e) = q | k | v
            Tensor[] parts = backend.split(qkv, e, e, e);
            int heads = c.numAttentionHeads();
            var spec = new AttentionSpec(batch, seq, cache.length(), cache.capacity(), heads, heads,
                    e / heads, scale, mask, 0, AttentionSpec.MaskedRows.GPT2);
            Tensor o = backend.attention(parts[0], parts[1], parts[2], cache, layer, spec);
            return child("c_proj", LinearLayer.class).forward(o);
        }
    }

    /** c_fc, activation, c_proj. */
    static final class Mlp extends Module {
        private final Backend backend;
        private final String act;

        Mlp(Gpt2Config c, WeightPath p, Backend backend) {
            this.backend = backend;
            this.act = c.activationFunction();
            register("c_fc", new Conv1D(backend, p.pp("c_fc"), c.hiddenSize(), c.nInner()));
            register("c_proj", new Conv1D(backend, p.pp("c_proj"), c.nInner(), c.hiddenSize()));
        }

        Tensor forward(Tensor x) {
            Tensor a = backend.activation(child("c_fc", LinearLayer.class).forward(x), act);
            return child("c_proj", LinearLayer.class).forward(a);
        }
    }
}
