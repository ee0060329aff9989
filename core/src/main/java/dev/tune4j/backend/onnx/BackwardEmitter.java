package dev.tune4j.backend.onnx;

import dev.tune4j.backend.AttentionSpec;
import dev.tune4j.backend.onnx.GraphBuilder.Attr;
import dev.tune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the backward of a recorded forward into the same ONNX graph: the causal-LM loss on the
 * logits, then, for every recorded op in reverse, the nodes of its gradient, the counterpart of
 * each hand-written backward in {@link dev.tune4j.autograd.AutogradBackend}. Only values on a path
 * to a trained parameter get a gradient; a value used several times sums its contributions.
 *
 * <p>Like the forward, every node here is independent of the traced batch size and sequence
 * length: token counts stay dynamic, only widths fixed by the config become constants.
 */
final class BackwardEmitter {
    private final Trace trace;
    private final GraphBuilder g;
    private final Set<Tensor> needs = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Tensor, String> grads = new IdentityHashMap<>();
    /** Parameters and the outputs of recorded ops. */
    private final Set<Tensor> known = Collections.newSetFromMap(new IdentityHashMap<>());
    private String batchSeq;

    /**
     * @param trace a finished forward recording with its tape
     * @param trained the trained parameters' values (graph inputs of the trace)
     * @param frozen the other parameters' values (initializers)
     */
    BackwardEmitter(Trace trace, Collection<Tensor> trained, Set<Tensor> frozen) {
        this.trace = trace;
        this.g = trace.g;
        needs.addAll(trained);
        // Every value an op reads must come from a recorded op or be a parameter: a value from an op
        // that records nothing on the tape (one without an emitter here) would silently cut the gradient.
        known.addAll(trained);
        known.addAll(frozen);
        for (TracedOp op : trace.tape) {
            for (Tensor t : op.inputs()) {
                if (t != null && !known.contains(t)) {
                    throw new UnsupportedOperationException("op " + op.name() + " reads a value " + Arrays.toString(t.shape())
                            + " from an op that has no backward in the ONNX training graph; train this model on the cpu backend");
                }
            }
            known.addAll(Arrays.asList(op.outputs()));
        }
        // requires_grad flows forward: an op output needs a gradient when one of its inputs does.
        for (TracedOp op : trace.tape) {
            if (anyNeeded(op.inputs())) {
                needs.addAll(Arrays.asList(op.outputs()));
            }
        }
    }

    private boolean anyNeeded(Tensor[] ts) {
        for (Tensor t : ts) {
            if (t != null && needs.contains(t)) {
                return true;
            }
        }
        return false;
    }

    /** The gradient value of {@code t} after {@link #lossAndBackward}, or null when the loss does not depend on it. */
    String gradient(Tensor t) {
        return grads.get(t);
    }

    /**
     * transformers' causal-LM loss on {@code logits} [tokens, vocab] against the int64 graph input
     * {@code labels} [batch, seq]: labels shifted left by one, -100 ignored, the mean over the
     * rest (NaN when nothing is left, as on the CPU backend); then the whole backward.
     *
     * @return the graph value of the loss, a float scalar
     */
    String lossAndBackward(Tensor logits, String labels) {
        if (!known.contains(logits)) {
            throw new UnsupportedOperationException("the logits come from an op that has no backward in the ONNX training graph");
        }
        int vocab = logits.dim(1);
        String x = trace.value(logits, "loss");
        // shifted[b, t] = labels[b, t + 1], -100 at the last position
        String sliced = g.node("Slice", List.of(labels, g.longs(1), g.longs(Long.MAX_VALUE), g.longs(1)));
        String minus100 = g.node("Squeeze", List.of(g.longs(-100)));
        String shifted = g.node("Pad", List.of(sliced, g.longs(0, 0, 0, 1), minus100));
        String targets = g.node("Reshape", List.of(shifted, g.longs(-1)));                     // (tokens)
        String ignored = g.node("Equal", List.of(targets, minus100));
        String valid = g.node("Cast", List.of(g.node("Not", List.of(ignored))), Attr.of("to", GraphBuilder.FLOAT));
        String safe = g.node("Where", List.of(ignored, g.longs(0), targets));
        String logp = g.node("LogSoftmax", List.of(x), Attr.of("axis", -1));                  // (tokens, vocab)
        String picked = g.node("GatherElements", List.of(logp, unsqueeze(safe, 1)), Attr.of("axis", 1));
        String nll = g.node("Mul", List.of(g.node("Reshape", List.of(picked, g.longs(-1))), valid));
        String count = g.node("ReduceSum", List.of(valid), Attr.of("keepdims", 0));
        String loss = g.node("Neg", List.of(g.node("Div", List.of(g.node("ReduceSum", List.of(nll), Attr.of("keepdims", 0)), count))));
        if (needs.contains(logits)) {
            // d loss / d logits = (softmax - onehot(target)) / count on valid rows, 0 elsewhere
            String perRow = g.node("Div", List.of(valid, g.node("Max", List.of(count, g.scalar(1f)))));
            String onOff = g.node("Cast", List.of(g.longs(0, 1)), Attr.of("to", GraphBuilder.FLOAT));
            String onehot = g.node("OneHot", List.of(safe, g.longs(vocab), onOff), Attr.of("axis", -1));
            String d = g.node("Sub", List.of(g.node("Exp", List.of(logp)), onehot));
            accumulate(logits, g.node("Mul", List.of(d, unsqueeze(perRow, 1))));
        }
        List<TracedOp> tape = trace.tape;
        for (int i = tape.size() - 1; i >= 0; i--) {
            TracedOp op = tape.get(i);
            if (!anyNeeded(op.inputs()) || !anyGradient(op.outputs())) {
                continue;
            }
            backward(op);
        }
        return loss;
    }

    private boolean anyGradient(Tensor[] ts) {
        for (Tensor t : ts) {
            if (grads.containsKey(t)) {
                return true;
            }
        }
        return false;
    }

    private void accumulate(Tensor t, String grad) {
        if (t != null && needs.contains(t)) {
            grads.merge(t, grad, (a, b) -> g.node("Add", List.of(a, b)));
        }
    }

    private boolean wants(Tensor t) {
        return t != null && needs.contains(t);
    }

    private String v(Tensor t) {
        return trace.value(t, "backward");
    }

    private void backward(TracedOp op) {
        for (Tensor out : op.outputs()) {
            for (Tensor in : op.inputs()) {
                if (out == in && !(op instanceof TracedOp.Same)) {
                    throw new IllegalStateException(op.name() + " returned its own input; its gradient cannot be told apart");
                }
            }
        }
        switch (op) {
            case TracedOp.Linear l -> linear(l);
            case TracedOp.Linear4bit l -> linear4bit(l);
            case TracedOp.Binary b -> binary(b);
            case TracedOp.Scale s -> accumulate(s.x(), g.node("Mul", List.of(grads.get(s.out()), g.scalar(s.s()))));
            case TracedOp.Same s -> {
                if (s.out() != s.x()) {
                    accumulate(s.x(), grads.get(s.out()));
                }
            }
            case TracedOp.Dropout d -> accumulate(d.x(), g.node("Mul", List.of(grads.get(d.out()), d.mask())));
            case TracedOp.RmsNorm r -> rmsNorm(r);
            case TracedOp.LayerNorm l -> layerNorm(l);
            case TracedOp.Swiglu s -> swiglu(s);
            case TracedOp.Activation a -> accumulate(a.x(),
                    g.node("Mul", List.of(grads.get(a.out()), activationDerivative(v(a.x()), a.activation()))));
            case TracedOp.Rope r -> rope(r);
            case TracedOp.Attention a -> attention(a);
            case TracedOp.Split s -> split(s);
            case TracedOp.Embedding e -> throw noBackward(op, "a trained embedding table");
            case TracedOp.SelectRows s -> throw noBackward(op, "selectRows");
        }
    }

    private static UnsupportedOperationException noBackward(TracedOp op, String what) {
        return new UnsupportedOperationException("op " + op.name() + " has no backward in the ONNX training graph ("
                + what + " is on the path from the loss to a trained parameter); train this model on the cpu backend");
    }

    // ---- emitters, one per Backend op -----------------------------------------------------------

    private void linear(TracedOp.Linear l) {
        String gy = grads.get(l.out());
        if (wants(l.x())) {
            // transB: dx = g W with W [out, in]; Conv1D: dx = g W^T with W [in, out]
            accumulate(l.x(), g.node("Gemm", List.of(gy, v(l.weight())), Attr.of("transB", l.transB() ? 0 : 1)));
        }
        if (wants(l.weight())) {
            // transB: dW [out, in] = g^T x; Conv1D: dW [in, out] = x^T g
            List<String> in = l.transB() ? List.of(gy, v(l.x())) : List.of(v(l.x()), gy);
            accumulate(l.weight(), g.node("Gemm", in, Attr.of("transA", 1)));
        }
        if (wants(l.bias())) {
            accumulate(l.bias(), g.node("ReduceSum", List.of(gy, g.longs(0)), Attr.of("keepdims", 0)));
        }
    }

    /** dx = g W with W the 4-bit weight [out, in] dequantized in the graph; db = sum of g over tokens. */
    private void linear4bit(TracedOp.Linear4bit l) {
        if (wants(l.weight().weight())) {
            throw new UnsupportedOperationException("4-bit weight " + l.packed() + " is frozen and gets no gradient;"
                    + " train LoRA adapters over it (QLoRA) or load the model unquantized");
        }
        String gy = grads.get(l.out());
        if (wants(l.x())) {
            String w = MatMulBnb4.dequantize(g, l.weight(), l.packed(), l.absmax(), gy);
            accumulate(l.x(), g.node("MatMul", List.of(gy, w)));
        }
        if (wants(l.bias())) {
            accumulate(l.bias(), g.node("ReduceSum", List.of(gy, g.longs(0)), Attr.of("keepdims", 0)));
        }
    }

    private void binary(TracedOp.Binary b) {
        String gy = grads.get(b.out());
        boolean mul = b.op().equals("Mul");
        if (!mul && !b.op().equals("Add")) {
            throw noBackward(b, b.op());
        }
        if (wants(b.a())) {
            accumulate(b.a(), reduceTo(mul ? g.node("Mul", List.of(gy, v(b.b()))) : gy, b.a(), b.out()));
        }
        if (wants(b.b())) {
            accumulate(b.b(), reduceTo(mul ? g.node("Mul", List.of(gy, v(b.a()))) : gy, b.b(), b.out()));
        }
    }

    /** Sums a gradient over the axes ONNX broadcasting expanded {@code in} along (right-aligned). */
    private String reduceTo(String grad, Tensor in, Tensor out) {
        int[] is = in.shape();
        int[] os = out.shape();
        if (Arrays.equals(is, os)) {
            return grad;
        }
        int lead = os.length - is.length;
        if (lead < 0) {
            throw new IllegalStateException("cannot reduce a gradient " + Arrays.toString(os) + " to " + Arrays.toString(is));
        }
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < os.length; i++) {
            if (i < lead || (is[i - lead] == 1 && os[i] != 1)) {
                axes.add((long) i);
            }
        }
        String sum = g.node("ReduceSum", List.of(grad, g.longs(axes.stream().mapToLong(Long::longValue).toArray())),
                Attr.of("keepdims", 1));
        // The broadcast operand has no token axis (a row vector): its shape is static.
        return g.node("Reshape", List.of(sum, g.longs(Arrays.stream(is).asLongStream().toArray())));
    }

    private void rmsNorm(TracedOp.RmsNorm r) {
        String gy = grads.get(r.out());
        String x = v(r.x());
        String w = v(r.weight());
        int h = r.x().dim(1);
        // rstd = 1 / sqrt(mean(x^2) + eps), [tokens, 1]
        String rstd = g.node("Reciprocal", List.of(g.node("Sqrt", List.of(g.node("Add", List.of(
                g.node("ReduceMean", List.of(g.node("Mul", List.of(x, x)), g.longs(-1)), Attr.of("keepdims", 1)),
                g.scalar(r.eps())))))));
        if (wants(r.x())) {
            // dx = rstd (g w) - rstd^3 / h * x * sum(g w x)
            String gw = g.node("Mul", List.of(gy, w));
            String dot = g.node("ReduceSum", List.of(g.node("Mul", List.of(gw, x)), g.longs(-1)), Attr.of("keepdims", 1));
            String r3 = g.node("Mul", List.of(rstd, g.node("Mul", List.of(rstd, rstd))));
            String coef = g.node("Mul", List.of(g.node("Mul", List.of(r3, dot)), g.scalar(1f / h)));
            accumulate(r.x(), g.node("Sub", List.of(g.node("Mul", List.of(gw, rstd)), g.node("Mul", List.of(x, coef)))));
        }
        if (wants(r.weight())) {
            String xhat = g.node("Mul", List.of(x, rstd));
            accumulate(r.weight(), g.node("ReduceSum", List.of(g.node("Mul", List.of(gy, xhat)), g.longs(0)), Attr.of("keepdims", 0)));
        }
    }

    private void layerNorm(TracedOp.LayerNorm l) {
        String gy = grads.get(l.out());
        String x = v(l.x());
        String xc = g.node("Sub", List.of(x, mean(x)));
        String rstd = g.node("Reciprocal", List.of(g.node("Sqrt", List.of(g.node("Add", List.of(
                mean(g.node("Mul", List.of(xc, xc))), g.scalar(l.eps())))))));
        String xhat = g.node("Mul", List.of(xc, rstd));
        if (wants(l.x())) {
            // dx = rstd (g w - mean(g w) - xhat mean(g w xhat))
            String gw = g.node("Mul", List.of(gy, v(l.weight())));
            String inner = g.node("Sub", List.of(g.node("Sub", List.of(gw, mean(gw))),
                    g.node("Mul", List.of(xhat, mean(g.node("Mul", List.of(gw, xhat)))))));
            accumulate(l.x(), g.node("Mul", List.of(inner, rstd)));
        }
        if (wants(l.weight())) {
            accumulate(l.weight(), g.node("ReduceSum", List.of(g.node("Mul", List.of(gy, xhat)), g.longs(0)), Attr.of("keepdims", 0)));
        }
        if (wants(l.bias())) {
            accumulate(l.bias(), g.node("ReduceSum", List.of(gy, g.longs(0)), Attr.of("keepdims", 0)));
        }
    }

    private String mean(String x) {
        return g.node("ReduceMean", List.of(x, g.longs(-1)), Attr.of("keepdims", 1));
    }

    private void swiglu(TracedOp.Swiglu s) {
        String gy = grads.get(s.out());
        String gate = v(s.gate());
        String sig = g.node("Sigmoid", List.of(gate));
        if (wants(s.gate())) {
            accumulate(s.gate(), g.node("Mul", List.of(g.node("Mul", List.of(gy, v(s.up()))), siluDerivative(gate, sig))));
        }
        if (wants(s.up())) {
            accumulate(s.up(), g.node("Mul", List.of(gy, g.node("Mul", List.of(gate, sig)))));
        }
    }

    /** d silu(x) / dx = sig (1 + x (1 - sig)). */
    private String siluDerivative(String x, String sig) {
        String oneMinus = g.node("Sub", List.of(g.scalar(1f), sig));
        return g.node("Mul", List.of(sig, g.node("Add", List.of(g.scalar(1f), g.node("Mul", List.of(x, oneMinus))))));
    }

    private String activationDerivative(String x, String name) {
        return switch (name) {
            case "silu", "swish" -> siluDerivative(x, g.node("Sigmoid", List.of(x)));
            case "relu" -> g.node("Cast", List.of(g.node("Greater", List.of(x, g.scalar(0f)))), Attr.of("to", GraphBuilder.FLOAT));
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> {
                // 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2),  t = tanh(c (x + a x^3))
                float c = (float) Math.sqrt(2.0 / Math.PI);
                float a = 0.044715f;
                String x2 = g.node("Mul", List.of(x, x));
                String inner = g.node("Mul", List.of(g.scalar(c), g.node("Add", List.of(x,
                        g.node("Mul", List.of(g.scalar(a), g.node("Mul", List.of(x2, x))))))));
                String t = g.node("Tanh", List.of(inner));
                String left = g.node("Mul", List.of(g.scalar(0.5f), g.node("Add", List.of(g.scalar(1f), t))));
                String sech2 = g.node("Sub", List.of(g.scalar(1f), g.node("Mul", List.of(t, t))));
                String du = g.node("Mul", List.of(g.scalar(c), g.node("Add", List.of(g.scalar(1f),
                        g.node("Mul", List.of(g.scalar(3 * a), x2))))));
                String right = g.node("Mul", List.of(g.node("Mul", List.of(g.scalar(0.5f), x)), g.node("Mul", List.of(sech2, du))));
                yield g.node("Add", List.of(left, right));
            }
            case "gelu" -> {
                // Phi(x) + x phi(x)
                String cdf = g.node("Mul", List.of(g.scalar(0.5f), g.node("Add", List.of(g.scalar(1f),
                        g.node("Erf", List.of(g.node("Mul", List.of(x, g.scalar((float) (1 / Math.sqrt(2)))))))))));
                String pdf = g.node("Mul", List.of(g.scalar((float) (1 / Math.sqrt(2 * Math.PI))),
                        g.node("Exp", List.of(g.node("Mul", List.of(g.scalar(-0.5f), g.node("Mul", List.of(x, x))))))));
                yield g.node("Add", List.of(cdf, g.node("Mul", List.of(x, pdf))));
            }
            default -> throw new UnsupportedOperationException("activation '" + name + "' has no backward in the ONNX training graph");
        };
    }

    /** The rotation's transpose is the rotation by -theta: the forward with sin negated. */
    private void rope(TracedOp.Rope r) {
        int half = r.cos().dim(1);
        int heads = r.heads();
        String c = v(r.cos());
        String s = g.node("Neg", List.of(v(r.sin())));
        String x3 = g.node("Reshape", List.of(grads.get(r.out()), g.longs(0, heads, 2L * half)));
        String[] halves = g.nodeN("Split", "", List.of(x3, g.longs(half, half)), 2, Attr.of("axis", 2));
        String o1 = g.node("Sub", List.of(g.node("Mul", List.of(halves[0], c)), g.node("Mul", List.of(halves[1], s))));
        String o2 = g.node("Add", List.of(g.node("Mul", List.of(halves[1], c)), g.node("Mul", List.of(halves[0], s))));
        String cat = g.node("Concat", List.of(o1, o2), Attr.of("axis", 2));
        accumulate(r.x(), g.node("Reshape", List.of(cat, g.longs(0, 2L * heads * half))));
    }

    private void split(TracedOp.Split s) {
        List<String> parts = new ArrayList<>();
        for (Tensor p : s.parts()) {
            String gp = grads.get(p);
            parts.add(gp != null ? gp : g.node("ConstantOfShape", List.of(g.node("Shape", List.of(v(p))))));
        }
        accumulate(s.x(), g.node("Concat", parts, Attr.of("axis", 1)));
    }

    private String dims(long... tail) {
        if (batchSeq == null) {
            batchSeq = g.node("Shape", List.of("input_ids"));
        }
        return g.node("Concat", List.of(batchSeq, g.longs(tail)), Attr.of("axis", 0));
    }

    private String transpose(String x, long... perm) {
        return g.node("Transpose", List.of(x), Attr.of("perm", perm));
    }

    /**
     * Backward of softmax(q k^T scale + bias) v with grouped-query heads, from the attention weights
     * the forward computed ({@link Trace#attention}); rows whose bias hides every key had
     * constant weights (finfo.min swallows the scores) and pass no gradient to q and k, as in
     * {@link dev.tune4j.autograd.AutogradBackend}.
     */
    private void attention(TracedOp.Attention a) {
        AttentionSpec spec = a.spec();
        if (spec.past() != 0) {
            throw new IllegalStateException("attention over a cache has no backward in the training graph");
        }
        int heads = spec.heads();
        int kvHeads = spec.kvHeads();
        int d = spec.headDim();
        int rep = heads / kvHeads;
        long width = (long) kvHeads * d;
        // The forward's values: (batch, kvH, rep, seq, d) queries, (batch, kvH, 1, d, slots) keys,
        // (batch, kvH, 1, slots, d) values, (batch, kvH, rep, seq, slots) attention weights.
        String qT = a.saved()[0];
        String kT = a.saved()[1];
        String vT = a.saved()[2];
        String p = a.saved()[3];
        String bias = trace.bias(spec);
        String dO = transpose(g.node("Reshape", List.of(grads.get(a.out()), dims(kvHeads, rep, d))), 0, 2, 3, 1, 4);
        if (wants(a.v())) {
            // dV = sum over the group's heads of P^T dO
            String dv5 = g.node("ReduceSum", List.of(g.node("MatMul", List.of(transpose(p, 0, 1, 2, 4, 3), dO)), g.longs(2)),
                    Attr.of("keepdims", 0));                                                    // (batch, kvH, slots, d)
            accumulate(a.v(), g.node("Reshape", List.of(transpose(dv5, 0, 2, 1, 3), g.longs(-1, width))));
        }
        if (!wants(a.q()) && !wants(a.k())) {
            return;
        }
        String dP = g.node("MatMul", List.of(dO, transpose(vT, 0, 1, 2, 4, 3)));              // (batch, kvH, rep, seq, slots)
        String dot = g.node("ReduceSum", List.of(g.node("Mul", List.of(dP, p)), g.longs(-1)), Attr.of("keepdims", 1));
        String seesKey = g.node("ReduceMax", List.of(g.node("Cast", List.of(g.node("Equal", List.of(bias, g.scalar(0f)))),
                Attr.of("to", GraphBuilder.FLOAT)), g.longs(-1)), Attr.of("keepdims", 1));     // (batch, 1, 1, seq, 1)
        String dS = g.node("Mul", List.of(g.node("Mul", List.of(p, g.node("Sub", List.of(dP, dot)))), seesKey));
        if (wants(a.q())) {
            String dq5 = g.node("Mul", List.of(g.node("MatMul", List.of(dS, transpose(kT, 0, 1, 2, 4, 3))), g.scalar(spec.scale())));
            accumulate(a.q(), g.node("Reshape", List.of(transpose(dq5, 0, 3, 1, 2, 4), g.longs(-1, (long) heads * d))));
        }
        if (wants(a.k())) {
            String dk5 = g.node("ReduceSum", List.of(g.node("Mul", List.of(g.node("MatMul", List.of(transpose(dS, 0, 1, 2, 4, 3), qT)),
                    g.scalar(spec.scale()))), g.longs(2)), Attr.of("keepdims", 0));           // (batch, kvH, slots, d)
            accumulate(a.k(), g.node("Reshape", List.of(transpose(dk5, 0, 2, 1, 3), g.longs(-1, width))));
        }
    }

    private String unsqueeze(String x, long axis) {
        return g.node("Unsqueeze", List.of(x, g.longs(axis)));
    }
}
