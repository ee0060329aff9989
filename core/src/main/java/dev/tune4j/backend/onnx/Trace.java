package dev.tune4j.backend.onnx;

import dev.tune4j.backend.AttentionSpec;
import dev.tune4j.backend.Bnb4Weight;
import dev.tune4j.backend.onnx.GraphBuilder.Attr;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Records the ops of one forward pass into an ONNX graph, keyed by tensor identity: a tensor an
 * op returned is a graph value, a model parameter is an initializer, anything else is an error
 * (a layer that computes outside the {@link dev.tune4j.backend.Backend} ops cannot be traced).
 *
 * <p>The model code reads concrete sizes while it runs (batch, sequence). Every node emitted here
 * is written so it does not depend on them: activations stay [tokens, features] with tokens
 * dynamic, reshapes copy or infer the dynamic axes (0 / -1) or take batch and sequence from
 * {@code Shape(input_ids)}; only widths fixed by the config (heads, head dim, hidden) become
 * constants. Per-call data the model computes in Java (RoPE tables, the attention mask) become
 * graph inputs that the runtime fills the same way.
 */
final class Trace {
    final GraphBuilder g = new GraphBuilder();
    private final boolean withPast;
    private final int[] tokens;
    private final int[] positions;
    private final int batch;
    private final int seq;
    private final Map<Tensor, String> names = new IdentityHashMap<>();
    private final Map<Tensor, String> parameters;
    private final Function<int[], Tensor[]> ropeTables;
    private final Map<String, Tensor> weights = new LinkedHashMap<>();
    private final List<GraphInput> inputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private final Map<String, String> cache = new HashMap<>();
    private Tensor last;
    /** The output of the Add just recorded (two equal [tokens, width] operands), else null. */
    private Tensor residual;
    /** The modules that get a run-time LoRA slot in this pass (none unless compiled with targets). */
    java.util.Set<String> loraModules = java.util.Set.of();
    /** Run-time LoRA branches recorded in this pass, by module name. */
    private final Map<String, LoraSlot> loraSlots = new LinkedHashMap<>();
    /** The ops in order, kept only for a training graph (null otherwise): BackwardEmitter's input. */
    List<TracedOp> tape;

    /**
     * @param withPast whether attention reads past keys/values from inputs and returns the new ones
     * @param tokens flat example ids [batch * seq] the model runs on
     * @param positions flat example positions
     * @param parameters the model's parameter values by identity, with their state-dict names
     * @param ropeTables how the runtime computes RoPE tables from positions (null without RoPE)
     */
    Trace(boolean withPast, int[] tokens, int[] positions, int batch, int seq, Map<Tensor, String> parameters,
          Function<int[], Tensor[]> ropeTables) {
        this.withPast = withPast;
        this.tokens = tokens;
        this.positions = positions;
        this.batch = batch;
        this.seq = seq;
        this.parameters = parameters;
        this.ropeTables = ropeTables;
        inputs.add(GraphInput.of("input_ids", GraphInput.Kind.INPUT_IDS));
        g.input("input_ids", GraphBuilder.INT64, "batch", "seq");
    }

    List<GraphInput> inputs() {
        return inputs;
    }

    List<String> outputs() {
        return outputs;
    }

    Map<String, Tensor> weights() {
        return weights;
    }

    /** The tensor the last recorded op returned (the logits, at the end of a pass). */
    Tensor last() {
        return last;
    }

    /** Marks the last op's value as the graph output {@code logits}, [rows, vocab]. */
    void outputLogits(String rows) {
        String name = names.get(last);
        g.identity(name, "logits");
        g.output("logits", GraphBuilder.FLOAT, rows, last.dim(1));
        outputs.add("logits");
    }

    /** Prefix of the graph outputs {@link #outputHiddenStates} adds: {@code hidden_states.0}, {@code .1}, ... */
    static final String HIDDEN_STATES = "hidden_states.";

    /** Marks each of {@code states} (tensors ops of this pass returned) as the graph output {@code hidden_states.i}, [tokens, width]. */
    void outputHiddenStates(List<Tensor> states) {
        for (int i = 0; i < states.size(); i++) {
            Tensor t = states.get(i);
            String out = HIDDEN_STATES + i;
            g.identity(value(t, "output_hidden_states"), out);
            g.output(out, GraphBuilder.FLOAT, "tokens", t.dim(1));
            outputs.add(out);
        }
    }

    private void record(TracedOp op) {
        if (tape != null) {
            tape.add(op);
        }
    }

    /** Declares {@code t} (a trained parameter's value) as the float graph input {@code name}. */
    void trainableInput(Tensor t, String name) {
        names.put(t, name);
        g.input(name, GraphBuilder.FLOAT, java.util.Arrays.stream(t.shape()).boxed().toArray());
    }

    private Tensor produced(Tensor out, String name) {
        names.put(out, name);
        last = out;
        return out;
    }

    /** The graph value of a tensor an op receives. */
    String value(Tensor t, String op) {
        String n = names.get(t);
        if (n != null) {
            return n;
        }
        String param = parameters.get(t);
        if (param == null) {
            throw new IllegalStateException(op + " received a tensor " + Arrays.toString(t.shape())
                    + " that no recorded op produced and that is not a model parameter: a layer computing outside"
                    + " the Backend ops cannot be traced into an ONNX graph");
        }
        if (t.dtype() != DType.F32 && t.dtype() != DType.F16 && t.dtype() != DType.BF16) {
            throw new IllegalStateException("parameter " + param + " is stored as " + t.dtype()
                    + "; the onnxruntime backend reads float32, float16 and bfloat16 weights (a 4-bit layer must"
                    + " compute through Backend.linear4bit, which lowers to MatMulBnb4)");
        }
        // Compute is float32 as on the CPU backend: half-precision weights are widened when handed to ORT.
        weights.put(param, t);
        g.weight(param, t.shape());
        String v = param;
        names.put(t, v);
        return v;
    }

    /** Shape(input_ids): the int64 pair [batch, seq] of the current call. */
    private String batchSeq() {
        return cache.computeIfAbsent("batchSeq", k -> g.node("Shape", List.of("input_ids")));
    }

    private String dims(long... tail) {
        return g.node("Concat", List.of(batchSeq(), g.longs(tail)), Attr.of("axis", 0));
    }

    void embedding(Tensor out, Tensor table, int[] ids) {
        String idsName;
        if (Arrays.equals(ids, tokens)) {
            idsName = "input_ids";
        } else if (Arrays.equals(ids, positions)) {
            idsName = "position_ids";
            if (!cache.containsKey("position_ids")) {
                cache.put("position_ids", "position_ids");
                inputs.add(GraphInput.of("position_ids", GraphInput.Kind.POSITION_IDS));
                g.input("position_ids", GraphBuilder.INT64, "batch", "seq");
            }
        } else {
            throw new IllegalStateException("embedding ids are neither the input ids nor the position ids of the pass");
        }
        String flat = g.node("Reshape", List.of(idsName, g.longs(-1)));
        produced(out, g.node("Gather", List.of(value(table, "embedding"), flat), Attr.of("axis", 0)));
        record(new TracedOp.Embedding(out, table));
    }

    /** x W^T + b (transB) or x W + b as one Gemm (4-bit weights: {@link #linear4bit}). */
    void linear(Tensor out, Tensor x, Tensor weight, Tensor bias, boolean transB) {
        List<String> in = new ArrayList<>(List.of(value(x, "linear"), value(weight, "linear")));
        if (bias != null) {
            in.add(value(bias, "linear"));
        }
        produced(out, g.node("Gemm", in, Attr.of("transB", transB ? 1 : 0)));
        record(new TracedOp.Linear(out, x, weight, bias, transB));
    }

    void binary(Tensor out, String op, Tensor a, Tensor b) {
        produced(out, g.node(op, List.of(value(a, op), value(b, op))));
        record(new TracedOp.Binary(out, op, a, b));
        residual = op.equals("Add") && Arrays.equals(a.shape(), b.shape()) && a.rank() == 2 ? out : null;
    }

    void scale(Tensor out, Tensor x, float s) {
        produced(out, g.node("Mul", List.of(value(x, "scale"), g.scalar(s))));
        record(new TracedOp.Scale(out, x, s));
    }

    void same(Tensor out, Tensor x) {
        produced(out, value(x, "dropout"));
        record(new TracedOp.Same(out, x));
    }

    /**
     * Dropout with p > 0, in a training graph only: x times a mask input [tokens, width] that the
     * runtime draws from {@code random} at each step, as the cpu backend would; tracing draws nothing.
     */
    Tensor dropout(Tensor x, float p, java.util.random.RandomGenerator random) {
        if (tape == null) {
            throw new UnsupportedOperationException("dropout is not traced: the ONNX graphs are for inference");
        }
        if (p < 0f || p >= 1f || x.rank() != 2) {
            throw new IllegalArgumentException("dropout of " + x + " with probability " + p + " cannot be traced");
        }
        String mask = "dropout_mask." + tape.size();
        g.input(mask, GraphBuilder.FLOAT, "tokens", x.dim(1));
        Tensor out = produced(Tensor.of(x.toFloatArray(), x.shape()), g.node("Mul", List.of(value(x, "dropout"), mask)));
        record(new TracedOp.Dropout(out, x, p, random, mask));
        return out;
    }

    /**
     * x W^T (+ b) with W a bitsandbytes 4-bit weight: one com.microsoft MatMulBnb4 node, then an
     * Add for the bias. Its initializers are named after the layer's weight parameter: the packed
     * codes as uint8 {@code <weight>} [(N*K+1)/2] and the float32 block scales (double-quantized
     * ones dequantized) as {@code <weight>.absmax}; both traces share them by name.
     */
    void linear4bit(Tensor out, Tensor x, Bnb4Weight w, Tensor bias, boolean cuda) {
        String param = parameters.get(w.weight());
        if (param == null) {
            throw new IllegalStateException("linear4bit received " + w + " whose packed weight is not a model parameter;"
                    + " pass the layer's registered weight tensor (a 4-bit weight cannot be trained: keep it frozen,"
                    + " requiresGrad false, and train LoRA adapters over it)");
        }
        if (names.containsKey(w.weight())) {
            throw new UnsupportedOperationException("4-bit weight " + param + " is marked as trained: a 4-bit weight"
                    + " is frozen and gets no gradient; train LoRA adapters over it (QLoRA) or load the model unquantized");
        }
        MatMulBnb4.check(w, param, cuda);
        String absmax = param + ".absmax";
        if (!weights.containsKey(param)) {
            int bytes = Math.toIntExact(w.weight().numel());
            weights.put(param, w.weight().reshape(bytes));
            g.weight(param, GraphBuilder.UINT8, 1, new int[] {bytes});
            float[] scales = w.absmax();
            weights.put(absmax, Tensor.of(scales, scales.length));
            g.weight(absmax, GraphBuilder.FLOAT, 4, new int[] {scales.length});
        }
        String y = g.nodeN("MatMulBnb4", MatMulBnb4.DOMAIN, List.of(value(x, "linear4bit"), param, absmax), 1,
                Attr.of("K", w.inFeatures()), Attr.of("N", w.outFeatures()), Attr.of("block_size", w.blocksize()),
                Attr.of("quant_type", MatMulBnb4.quantType(w.quantType())))[0];
        if (bias != null) {
            y = g.node("Add", List.of(y, value(bias, "linear4bit")));
        }
        produced(out, y);
        record(new TracedOp.Linear4bit(out, x, w, bias, param, absmax));
    }

    void rmsNorm(Tensor out, Tensor x, Tensor w, float eps) {
        if (tape == null && x == residual && skipRmsNorm(out, x, w, eps)) {
            return;
        }
        // ORT's fused RMSNorm (SimplifiedLayerNormalization), float32 statistics.
        produced(out, g.node("SimplifiedLayerNormalization", List.of(value(x, "rmsNorm"), value(w, "rmsNorm")),
                Attr.of("axis", -1), Attr.of("epsilon", eps), Attr.of("stash_type", 1)));
        record(new TracedOp.RmsNorm(out, x, w, eps));
    }

    /**
     * A residual sum straight into an RMSNorm (every decoder layer but the first) as one
     * com.microsoft SkipSimplifiedLayerNormalization: ORT's optimizer does not fuse the Add with
     * SimplifiedLayerNormalization itself (checked on its optimized graph). The Add just recorded
     * is taken out again, and the fused node's fourth output (input + skip) stands for the sum from
     * then on. Inference graphs only: the training graph's backward knows the two ops apart.
     */
    private boolean skipRmsNorm(Tensor out, Tensor x, Tensor w, float eps) {
        String weight = value(w, "rmsNorm");
        List<String> addends = g.removeLastNodeProducing(names.get(x));
        if (addends == null) {
            return false;
        }
        String[] o = g.nodeN("SkipSimplifiedLayerNormalization", "com.microsoft", List.of(addends.get(0), addends.get(1), weight),
                4, Attr.of("epsilon", eps));
        names.put(x, o[3]);
        produced(out, o[0]);
        return true;
    }

    void layerNorm(Tensor out, Tensor x, Tensor w, Tensor b, float eps) {
        produced(out, g.node("LayerNormalization", List.of(value(x, "layerNorm"), value(w, "layerNorm"),
                value(b, "layerNorm")), Attr.of("axis", -1), Attr.of("epsilon", eps)));
        record(new TracedOp.LayerNorm(out, x, w, b, eps));
    }

    private String silu(String x) {
        return g.node("Mul", List.of(x, g.node("Sigmoid", List.of(x))));
    }

    void swiglu(Tensor out, Tensor gate, Tensor up) {
        produced(out, g.node("Mul", List.of(silu(value(gate, "swiglu")), value(up, "swiglu"))));
        record(new TracedOp.Swiglu(out, gate, up));
    }

    void activation(Tensor out, Tensor x, String name) {
        String v = value(x, "activation");
        produced(out, switch (name) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> g.node("Gelu", List.of(v), Attr.of("approximate", "tanh"));
            case "gelu" -> g.node("Gelu", List.of(v));
            case "silu", "swish" -> silu(v);
            case "relu" -> g.node("Relu", List.of(v));
            default -> throw new IllegalArgumentException("activation '" + name + "' has no ONNX lowering");
        });
        record(new TracedOp.Activation(out, x, name));
    }

    /** A RoPE table seen for the first time becomes an input; the runtime must rebuild it exactly. */
    private String ropeTable(Tensor t, int which, GraphInput.Kind kind) {
        String n = names.get(t);
        if (n != null) {
            return n;
        }
        String name = kind == GraphInput.Kind.ROPE_COS ? "rope_cos" : "rope_sin";
        if (cache.containsKey(name)) {
            throw new IllegalStateException("the model used two different RoPE tables in one pass; not traceable");
        }
        if (ropeTables == null || !Arrays.equals(ropeTables.apply(positions)[which].toFloatArray(), t.toFloatArray())) {
            throw new IllegalStateException("the RoPE tables the model used differ from the ones the runtime computes");
        }
        cache.put(name, name);
        inputs.add(GraphInput.of(name, kind));
        g.input(name, GraphBuilder.FLOAT, "tokens", t.dim(1));
        // [tokens, 1, half]: broadcast over heads.
        String u = g.node("Unsqueeze", List.of(name, g.longs(1)));
        names.put(t, u);
        return u;
    }

    void rope(Tensor out, Tensor x, int heads, Tensor cos, Tensor sin) {
        int half = cos.dim(1);
        String c = ropeTable(cos, 0, GraphInput.Kind.ROPE_COS);
        String s = ropeTable(sin, 1, GraphInput.Kind.ROPE_SIN);
        String x3 = g.node("Reshape", List.of(value(x, "rope"), g.longs(0, heads, 2L * half)));   // (tokens, heads, d)
        String[] halves = g.nodeN("Split", "", List.of(x3, g.longs(half, half)), 2, Attr.of("axis", 2));
        String x1 = halves[0];
        String x2 = halves[1];
        // rotate_half: [x1 cos - x2 sin, x2 cos + x1 sin]
        String o1 = g.node("Sub", List.of(g.node("Mul", List.of(x1, c)), g.node("Mul", List.of(x2, s))));
        String o2 = g.node("Add", List.of(g.node("Mul", List.of(x2, c)), g.node("Mul", List.of(x1, s))));
        String cat = g.node("Concat", List.of(o1, o2), Attr.of("axis", 2));
        produced(out, g.node("Reshape", List.of(cat, g.longs(0, 2L * heads * half))));
        record(new TracedOp.Rope(out, x, heads, cos, sin));
    }

    void split(Tensor[] out, Tensor x, int[] widths) {
        long[] w = Arrays.stream(widths).asLongStream().toArray();
        String[] parts = g.nodeN("Split", "", List.of(value(x, "split"), g.longs(w)), widths.length, Attr.of("axis", 1));
        for (int i = 0; i < out.length; i++) {
            produced(out[i], parts[i]);
        }
        record(new TracedOp.Split(out, x, widths));
    }

    /** Only the last position of each row (generation) has a shape-agnostic form. */
    void selectRows(Tensor out, Tensor x, int[] rows) {
        int[] lastRows = new int[batch];
        for (int b = 0; b < batch; b++) {
            lastRows[b] = b * seq + seq - 1;
        }
        if (!Arrays.equals(rows, lastRows)) {
            throw new IllegalStateException("selectRows is traced only for the last position of each row");
        }
        String x3 = g.node("Reshape", List.of(value(x, "selectRows"), dims(-1)));              // (batch, seq, w)
        String seqLen = g.node("Gather", List.of(batchSeq(), g.longs(1)), Attr.of("axis", 0));
        String lastIndex = g.node("Sub", List.of(seqLen, g.longs(1)));
        String picked = g.node("Gather", List.of(x3, lastIndex), Attr.of("axis", 1));          // (batch, 1, w)
        produced(out, g.node("Squeeze", List.of(picked, g.longs(1))));
        record(new TracedOp.SelectRows(out, x));
    }

    /**
     * softmax(q k^T * scale + bias) v with grouped-query heads, as standard ops: ORT's fused
     * GroupQueryAttention takes per-row key lengths instead of a mask, which cannot express
     * transformers' left-padding and packed-document semantics.
     */
    void attention(Tensor out, Tensor q, Tensor k, Tensor v, int layer, AttentionSpec spec) {
        int heads = spec.heads();
        int kvHeads = spec.kvHeads();
        int d = spec.headDim();
        int rep = heads / kvHeads;
        int width = kvHeads * d;
        String kAll = kvSequence(value(k, "attention"), width, layer, true);
        String vAll = kvSequence(value(v, "attention"), width, layer, false);
        // keys (slots, batch, kvH*d) -> (batch, kvH, 1, d, slots); values -> (batch, kvH, 1, slots, d)
        String k4 = g.node("Reshape", List.of(kAll, g.longs(0, 0, kvHeads, d)));
        String kT = g.node("Unsqueeze", List.of(g.node("Transpose", List.of(k4), Attr.of("perm", new long[] {1, 2, 3, 0})), g.longs(2)));
        String v4 = g.node("Reshape", List.of(vAll, g.longs(0, 0, kvHeads, d)));
        String vT = g.node("Unsqueeze", List.of(g.node("Transpose", List.of(v4), Attr.of("perm", new long[] {1, 2, 0, 3})), g.longs(2)));
        // queries (tokens, heads*d) -> (batch, kvH, rep, seq, d): q head h = kvh * rep + r
        String q5 = g.node("Reshape", List.of(value(q, "attention"), dims(kvHeads, rep, d)));
        String qT = g.node("Transpose", List.of(q5), Attr.of("perm", new long[] {0, 2, 3, 1, 4}));
        String scores = g.node("Mul", List.of(g.node("MatMul", List.of(qT, kT)), g.scalar(spec.scale())));
        String probs = g.node("Softmax", List.of(g.node("Add", List.of(scores, bias(spec)))), Attr.of("axis", -1));
        String o = g.node("MatMul", List.of(probs, vT));                                           // (batch, kvH, rep, seq, d)
        String oT = g.node("Transpose", List.of(o), Attr.of("perm", new long[] {0, 3, 1, 2, 4}));
        produced(out, g.node("Reshape", List.of(oT, g.longs(-1, (long) heads * d))));
        record(new TracedOp.Attention(out, q, k, v, spec, new String[] {qT, kT, vT, probs}));
    }

    /** New keys or values (tokens, w) as (seq, batch, w), after the past ones when the graph has them. */
    private String kvSequence(String x, int width, int layer, boolean keys) {
        String bsw = g.node("Reshape", List.of(x, dims(width)));
        String sbw = g.node("Transpose", List.of(bsw), Attr.of("perm", new long[] {1, 0, 2}));
        if (!withPast) {
            return sbw;
        }
        String kind = keys ? "key" : "value";
        String past = "past_" + kind + "." + layer;
        String present = "new_" + kind + "." + layer;
        inputs.add(new GraphInput(past, keys ? GraphInput.Kind.PAST_KEY : GraphInput.Kind.PAST_VALUE, layer, width, 0, null));
        g.input(past, GraphBuilder.FLOAT, "past", "batch", width);
        g.identity(sbw, present);
        g.output(present, GraphBuilder.FLOAT, "seq", "batch", width);
        outputs.add(present);
        return g.node("Concat", List.of(past, sbw), Attr.of("axis", 0));
    }

    /** The bias input for this layer's masking rules, unsqueezed to (batch, 1, 1, seq, slots). */
    String bias(AttentionSpec spec) {
        String name = spec.slidingWindow() == 0 ? "attention_bias" : "attention_bias_window_" + spec.slidingWindow();
        return cache.computeIfAbsent(name, k -> {
            inputs.add(new GraphInput(name, GraphInput.Kind.ATTENTION_BIAS, -1, 0, spec.slidingWindow(), spec.maskedRows()));
            g.input(name, GraphBuilder.FLOAT, "batch", "seq", "slots");
            return g.node("Unsqueeze", List.of(name, g.longs(1, 2)));
        });
    }

    Map<String, LoraSlot> loraSlots() {
        return loraSlots;
    }

    /**
     * Gives the linear that just produced {@code out} a run-time LoRA branch when its module is in
     * {@code modules}: graph inputs {@code <module>.lora_A.weight} [r, in] and
     * {@code <module>.lora_B.weight} [out, r] with a symbolic rank, each backed by a rank-0
     * initializer (an ONNX "overridable initializer": the run's adapter replaces it, and without one
     * the branch adds zeros), and {@code out = base + (x A^T) B^T} with the scaling folded into B.
     */
    void loraSlot(Tensor out, Tensor x, Tensor weight, boolean transB) {
        String param = parameters.get(weight);
        if (loraModules.isEmpty() || param == null) {
            return;
        }
        loraSlot(out, x, param, transB ? weight.dim(1) : weight.dim(0), transB ? weight.dim(0) : weight.dim(1));
    }

    /**
     * The slot of a 4-bit layer, as for a float one: the branch reads only x, so the base weight's
     * format does not matter.
     */
    void loraSlot(Tensor out, Tensor x, Bnb4Weight w) {
        String param = parameters.get(w.weight());
        if (loraModules.isEmpty() || param == null) {
            return;
        }
        loraSlot(out, x, param, w.inFeatures(), w.outFeatures());
    }

    /** The slot of the linear whose weight parameter is {@code param}, [width, in] as torch stores it. */
    private void loraSlot(Tensor out, Tensor x, String param, int in, int width) {
        if (!param.endsWith(".weight")) {
            return;
        }
        String module = param.substring(0, param.length() - ".weight".length());
        if (!loraModules.contains(module)) {
            return;
        }
        LoraSlot slot = loraSlots.get(module);
        if (slot == null) {
            slot = new LoraSlot(module, in, width);
            String rank = "lora_rank_" + loraSlots.size();
            g.input(slot.a(), GraphBuilder.FLOAT, rank, in);
            g.input(slot.b(), GraphBuilder.FLOAT, width, rank);
            g.emptyInitializer(slot.a(), 0, in);
            g.emptyInitializer(slot.b(), width, 0);
            loraSlots.put(module, slot);
        }
        String h = g.node("Gemm", List.of(value(x, "lora"), slot.a()), Attr.of("transB", 1));       // (tokens, r)
        produced(out, g.node("Gemm", List.of(h, slot.b(), names.get(out)), Attr.of("transB", 1)));  // base + h B^T
    }
}
