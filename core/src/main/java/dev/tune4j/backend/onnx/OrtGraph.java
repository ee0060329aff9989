package dev.tune4j.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tune4j.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A traced graph in its session, and how its inputs are filled for one call. */
final class OrtGraph implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<GraphInput> inputs;
    private final Function<int[], Tensor[]> ropeTables;
    private final int modelBytes;

    OrtGraph(OrtEnvironment env, OrtSession session, List<GraphInput> inputs, Function<int[], Tensor[]> ropeTables,
             int modelBytes) {
        this.env = env;
        this.modelBytes = modelBytes;
        this.session = session;
        this.inputs = List.copyOf(inputs);
        this.ropeTables = ropeTables;
    }

    List<GraphInput> inputs() {
        return inputs;
    }

    /** Size of the serialized ONNX model the session was created from (weights not included). */
    int modelBytes() {
        return modelBytes;
    }

    /** Where a decoder keeps its past keys/values: (past, batch, width) views. */
    interface Past {
        FloatBuffer keys(int layer);

        FloatBuffer values(int layer);
    }

    /**
     * Runs the graph over new tokens [batch][n] at {@code positions}, with the full mask so far
     * [batch][past + n] (or null) and, for the decode graph, the past keys/values.
     */
    OrtSession.Result run(int[][] tokens, int[][] positions, int[][] mask, int past, Past pastKv) {
        return run(tokens, positions, mask, past, pastKv, Map.of(), null);
    }

    /** {@link #run(int[][], int[][], int[][], int, Past)} with run options (an active LoRA adapter), or null. */
    OrtSession.Result run(int[][] tokens, int[][] positions, int[][] mask, int past, Past pastKv,
                          OrtSession.RunOptions options) {
        return run(tokens, positions, mask, past, pastKv, Map.of(), options);
    }

    /** As above, with {@code extra} inputs the caller fills (closed here after the run). */
    OrtSession.Result run(int[][] tokens, int[][] positions, int[][] mask, int past, Past pastKv,
                          Map<String, OnnxTensor> extra) {
        return run(tokens, positions, mask, past, pastKv, extra, null);
    }

    private OrtSession.Result run(int[][] tokens, int[][] positions, int[][] mask, int past, Past pastKv,
                                  Map<String, OnnxTensor> extra, OrtSession.RunOptions options) {
        int batch = tokens.length;
        int n = tokens[0].length;
        Map<String, OnnxTensor> feed = new HashMap<>(extra);
        try {
            Tensor[] rope = null;
            for (GraphInput in : inputs) {
                OnnxTensor t = switch (in.kind()) {
                    case INPUT_IDS -> OnnxTensor.createTensor(env, longs(tokens), new long[] {batch, n});
                    case POSITION_IDS -> OnnxTensor.createTensor(env, longs(positions), new long[] {batch, n});
                    case ROPE_COS, ROPE_SIN -> {
                        if (rope == null) {
                            rope = ropeTables.apply(flatten(positions));
                        }
                        Tensor r = rope[in.kind() == GraphInput.Kind.ROPE_COS ? 0 : 1];
                        yield OnnxTensor.createTensor(env, FloatBuffer.wrap(r.data()), new long[] {r.dim(0), r.dim(1)});
                    }
                    case ATTENTION_BIAS -> OnnxTensor.createTensor(env,
                            FloatBuffer.wrap(MaskBias.compute(batch, n, past, mask, in.window(), in.maskedRows())),
                            new long[] {batch, n, past + n});
                    // Direct buffers: ORT reads the cache in place, no copy per step.
                    case PAST_KEY -> OnnxTensor.createTensor(env, pastKv.keys(in.layer()), new long[] {past, batch, in.width()});
                    case PAST_VALUE -> OnnxTensor.createTensor(env, pastKv.values(in.layer()), new long[] {past, batch, in.width()});
                };
                feed.put(in.name(), t);
            }
            return options == null ? session.run(feed) : session.run(feed, options);
        } catch (OrtException e) {
            throw new IllegalStateException("onnxruntime failed to run the graph: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private static LongBuffer longs(int[][] rows) {
        int cols = rows[0].length;
        long[] out = new long[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = rows[r][c];
            }
        }
        return LongBuffer.wrap(out);
    }

    static int[] flatten(int[][] rows) {
        int cols = rows[0].length;
        int[] out = new int[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * cols, cols);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the onnxruntime session", e);
        }
    }
}
