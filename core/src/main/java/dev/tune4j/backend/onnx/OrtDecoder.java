package dev.tune4j.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtSession;
import dev.tune4j.generation.IncrementalDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Optional;

/**
 * Generation over the decode graph. The cache lives off-heap per layer as [slots, batch, width]:
 * the filled prefix is one contiguous block, handed to ORT in place each step, and the graph
 * returns only the new slots (ORT's Java API has no IO binding, so this keeps the per-token
 * traffic to the new keys/values and the last logits).
 */
final class OrtDecoder implements IncrementalDecoder {
    private final OrtGraph graph;
    private final int batch;
    private final int vocab;
    private final int layers;
    private final int[] widths;
    private final FloatBuffer[] keys;
    private final FloatBuffer[] values;
    private int capacity;
    private int length;
    /** The LoRA adapter every step runs with, or null for the base model. */
    private final LoadedAdapter adapter;

    OrtDecoder(OrtGraph graph, int batch, int capacityHint, int vocab) {
        this(graph, batch, capacityHint, vocab, null);
    }

    OrtDecoder(OrtGraph graph, int batch, int capacityHint, int vocab, LoadedAdapter adapter) {
        this.adapter = adapter;
        this.graph = graph;
        this.batch = batch;
        this.vocab = vocab;
        int n = 0;
        for (GraphInput in : graph.inputs()) {
            if (in.kind() == GraphInput.Kind.PAST_KEY) {
                n = Math.max(n, in.layer() + 1);
            }
        }
        this.layers = n;
        this.widths = new int[n];
        for (GraphInput in : graph.inputs()) {
            if (in.kind() == GraphInput.Kind.PAST_KEY) {
                widths[in.layer()] = in.width();
            }
        }
        this.keys = new FloatBuffer[n];
        this.values = new FloatBuffer[n];
        this.capacity = Math.max(1, capacityHint);
        for (int l = 0; l < n; l++) {
            keys[l] = allocate(capacity * batch * widths[l]);
            values[l] = allocate(capacity * batch * widths[l]);
        }
    }

    private static FloatBuffer allocate(long floats) {
        return ByteBuffer.allocateDirect(Math.toIntExact(floats * 4)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Override
    public float[][] step(int[][] tokens, int[][] positionIds, int[][] attentionMask) {
        if (tokens.length != batch || positionIds.length != batch) {
            throw new IllegalArgumentException("this decoder has " + batch + " rows; got " + tokens.length + " token rows and "
                    + positionIds.length + " position rows");
        }
        int n = tokens[0].length;
        if (attentionMask != null && attentionMask[0].length != length + n) {
            throw new IllegalArgumentException("attention_mask has " + attentionMask[0].length + " columns, expected "
                    + (length + n) + " (past + new tokens)");
        }
        int past = length;
        OrtGraph.Past view = new OrtGraph.Past() {
            @Override
            public FloatBuffer keys(int layer) {
                return keys[layer].slice(0, past * batch * widths[layer]);
            }

            @Override
            public FloatBuffer values(int layer) {
                return values[layer].slice(0, past * batch * widths[layer]);
            }
        };
        float[][] out = new float[batch][vocab];
        try (LoadedAdapter.Lease lease = LoadedAdapter.lease(adapter);
             OrtSession.Result r = graph.run(tokens, positionIds, attentionMask, past, view, lease.options())) {
            FloatBuffer logits = ((OnnxTensor) r.get("logits").orElseThrow()).getFloatBuffer();
            for (int b = 0; b < batch; b++) {
                logits.get(out[b]);
            }
            reserve(past + n);
            for (int l = 0; l < layers; l++) {
                append(keys[l], r.get("new_key." + l), past * batch * widths[l]);
                append(values[l], r.get("new_value." + l), past * batch * widths[l]);
            }
        }
        length = past + n;
        return out;
    }

    private static void append(FloatBuffer cache, Optional<OnnxValue> fresh, int offset) {
        FloatBuffer src = ((OnnxTensor) fresh.orElseThrow()).getFloatBuffer();
        cache.put(offset, src, 0, src.remaining());
    }

    /** Doubles the buffers when {@code slots} exceed the capacity; the filled prefix moves as one block. */
    private void reserve(int slots) {
        if (slots <= capacity) {
            return;
        }
        int newCap = Math.max(slots, capacity * 2);
        for (int l = 0; l < layers; l++) {
            keys[l] = grow(keys[l], newCap * batch * widths[l], length * batch * widths[l]);
            values[l] = grow(values[l], newCap * batch * widths[l], length * batch * widths[l]);
        }
        capacity = newCap;
    }

    private static FloatBuffer grow(FloatBuffer old, long floats, int used) {
        FloatBuffer b = allocate(floats);
        b.put(0, old, 0, used);
        return b;
    }
}
