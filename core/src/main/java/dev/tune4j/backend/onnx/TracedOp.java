package dev.tune4j.backend.onnx;

import dev.tune4j.backend.AttentionSpec;
import dev.tune4j.tensor.Tensor;

/**
 * One Backend op as a training trace records it, beside the ONNX nodes of its forward: the
 * tensors it read and returned (by identity, as {@link Trace} keys them) and the attributes its
 * backward needs. {@link BackwardEmitter} walks these in reverse.
 */
sealed interface TracedOp {
    /** The tensor the op returned (split: its first part). */
    Tensor out();

    /** The tensors the op returned: its one output, for every op but split. */
    default Tensor[] outputs() {
        return new Tensor[] {out()};
    }

    /** The tensors the op read (nulls allowed). */
    Tensor[] inputs();

    /** The Backend op's name, for error messages. */
    String name();

    record Embedding(Tensor out, Tensor table) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {table};
        }

        public String name() {
            return "embedding";
        }
    }

    /** x W^T + b ({@code transB}, Linear) or x W + b (GPT-2's Conv1D). */
    record Linear(Tensor out, Tensor x, Tensor weight, Tensor bias, boolean transB) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {x, weight, bias};
        }

        public String name() {
            return transB ? "linear" : "conv1d";
        }
    }

    /**
     * x W^T + b with W a bitsandbytes 4-bit weight, lowered to MatMulBnb4; {@code packed} and
     * {@code absmax} name its initializers. The weight is frozen: only x and b get gradients.
     */
    record Linear4bit(Tensor out, Tensor x, dev.tune4j.backend.Bnb4Weight weight, Tensor bias, String packed,
                      String absmax) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {x, weight.weight(), bias};
        }

        public String name() {
            return "linear4bit";
        }
    }

    /** Add or Mul with ONNX broadcasting (add, mul, mulRowVector). */
    record Binary(Tensor out, String op, Tensor a, Tensor b) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {a, b};
        }

        public String name() {
            return op.toLowerCase(java.util.Locale.ROOT);
        }
    }

    record Scale(Tensor out, Tensor x, float s) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {x};
        }

        public String name() {
            return "scale";
        }
    }

    /** An op whose output is its input (dropout with p = 0, or outside training). */
    record Same(Tensor out, Tensor x) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {x};
        }

        public String name() {
            return "dropout";
        }
    }

    /** x times the graph input {@code mask}, drawn from {@code random} with keep probability 1 - p, scaled 1 / (1 - p). */
    record Dropout(Tensor out, Tensor x, float p, java.util.random.RandomGenerator random, String mask) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {x};
        }

        public String name() {
            return "dropout";
        }
    }

    record RmsNorm(Tensor out, Tensor x, Tensor weight, float eps) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {x, weight};
        }

        public String name() {
            return "rmsNorm";
        }
    }

    record LayerNorm(Tensor out, Tensor x, Tensor weight, Tensor bias, float eps) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {x, weight, bias};
        }

        public String name() {
            return "layerNorm";
        }
    }

    record Swiglu(Tensor out, Tensor gate, Tensor up) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {gate, up};
        }

        public String name() {
            return "swiglu";
        }
    }

    record Activation(Tensor out, Tensor x, String activation) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {x};
        }

        public String name() {
            return "activation(" + activation + ")";
        }
    }

    /** RoPE on x [tokens, heads * headDim]; cos and sin are graph inputs, not differentiated. */
    record Rope(Tensor out, Tensor x, int heads, Tensor cos, Tensor sin) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {x};
        }

        public String name() {
            return "rope";
        }
    }

    /**
     * @param saved the forward's graph values the backward reuses: queries (batch, kvH, rep, seq, d),
     *     keys (batch, kvH, 1, d, slots), values (batch, kvH, 1, slots, d), probabilities (batch, kvH, rep, seq, slots)
     */
    record Attention(Tensor out, Tensor q, Tensor k, Tensor v, AttentionSpec spec, String[] saved) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {q, k, v};
        }

        public String name() {
            return "attention";
        }
    }

    record Split(Tensor[] parts, Tensor x, int[] widths) implements TracedOp {
        public Tensor out() {
            return parts[0];
        }

        @Override
        public Tensor[] outputs() {
            return parts;
        }

        public Tensor[] inputs() {
            return new Tensor[] {x};
        }

        public String name() {
            return "split";
        }
    }

    record SelectRows(Tensor out, Tensor x) implements TracedOp {
        public Tensor[] inputs() {
            return new Tensor[] {x};
        }

        public String name() {
            return "selectRows";
        }
    }
}
