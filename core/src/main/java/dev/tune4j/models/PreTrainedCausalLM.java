package dev.tune4j.models;

import dev.tune4j.backend.Backend;
import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.nn.Module;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.io.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every architecture shares: input validation, default positions, the KV cache, hidden
 * states, the shifted loss. An architecture supplies {@link #run}, one pass over new tokens.
 */
public abstract class PreTrainedCausalLM extends Module implements CausalLM {
    protected final Backend backend;
    private final List<AutoCloseable> resources = new ArrayList<>();

    protected PreTrainedCausalLM(Backend backend) {
        this.backend = backend;
    }

    @Override
    public Module module() {
        return this;
    }

    public Backend backend() {
        return backend;
    }

    /** Registers something (a mapped checkpoint) to close with the model. */
    public final void closeWith(AutoCloseable resource) {
        resources.add(resource);
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException("failed to release " + r, e);
            }
        }
        resources.clear();
    }

    /** The generation_config.json written beside the weights: what was loaded, or one derived from the config. */
    private com.fasterxml.jackson.databind.node.ObjectNode generationConfigJson;

    /** Sets the generation_config.json content (kept as written, so a save reproduces the file). */
    public final void generationConfigJson(com.fasterxml.jackson.databind.node.ObjectNode json) {
        this.generationConfigJson = json;
        this.generationConfig = null;
    }

    private GenerationConfig generationConfig;
    private com.fasterxml.jackson.databind.node.ObjectNode quantizationConfigJson;

    /** Records the quantization the weights are held in; savePretrained writes it into config.json. */
    public final void quantizationConfigJson(com.fasterxml.jackson.databind.node.ObjectNode json) {
        this.quantizationConfigJson = json;
    }

    /** config.json as savePretrained writes it. */
    public com.fasterxml.jackson.databind.node.ObjectNode configJson() {
        var json = config().toJson();
        if (quantizationConfigJson != null) {
            json.set("quantization_config", quantizationConfigJson);
        }
        return json;
    }

    @Override
    public GenerationConfig generationConfig() {
        if (generationConfig == null) {
            generationConfig = generationConfigJson != null ? GenerationConfig.fromJson(generationConfigJson.toString())
                    : GenerationConfig.fromModelConfig(config().toJson(), "config.json");
        }
        return generationConfig;
    }

    @Override
    public IncrementalDecoder newDecoder(int batch, int capacityHint) {
        KvCache cache = newCache(batch, capacityHint);
        return (tokens, positionIds, attentionMask) -> step(cache, tokens, positionIds, attentionMask);
    }

    /**
     * Writes the model as transformers' {@code save_pretrained} does: config.json and
     * generation_config.json ({@code json.dumps(indent=2, sort_keys=True)}), and the weights in
     * model.safetensors, or in shards with an index past {@code maxShardBytes}.
     */
    public void savePretrained(Path dir, long maxShardBytes) {
        try {
            Files.createDirectories(dir);
            ModelFiles.writeJsonAtomically(dir.resolve("config.json"), configJson());
            ModelFiles.writeStringAtomically(dir.resolve("generation_config.json"),
                    generationConfigJson != null ? ModelFiles.pythonJson(generationConfigJson) : generationConfig().toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + dir, e);
        }
        SafetensorsWriter.writeSharded(dir, stateDict(), Map.of("format", "pt"), maxShardBytes);
    }

    @Override
    public void savePretrained(Path dir) {
        savePretrained(dir, SafetensorsWriter.DEFAULT_MAX_SHARD_BYTES);
    }

    private boolean gradientCheckpointing;

    /**
     * transformers' {@code gradient_checkpointing_enable()}: decoder layers keep only their input
     * during a training forward and are recomputed in backward.
     */
    @Override
    public void gradientCheckpointing(boolean on) {
        this.gradientCheckpointing = on;
    }

    public boolean isGradientCheckpointing() {
        return gradientCheckpointing;
    }

    /**
     * Runs one decoder layer, through {@link dev.tune4j.autograd.Checkpoint} when gradient
     * checkpointing is on. {@code layer} gets a fresh cache when recomputing, so the recomputation
     * does not append to the cache the forward filled.
     */
    protected final Tensor runLayer(Module layer, Tensor h, int batch, int seq, KvCache cache, LayerCall call) {
        if (!gradientCheckpointing || !dev.tune4j.autograd.GradMode.isEnabled()) {
            return call.apply(h, cache);
        }
        boolean trainable = false;
        for (var p : layer.namedParameters().values()) {
            trainable |= p.requiresGrad();
        }
        return dev.tune4j.autograd.Checkpoint.apply(
                (x, recomputing) -> call.apply(x, recomputing ? newCache(batch, seq) : cache), h, trainable);
    }

    /** One layer's forward against a cache. */
    @FunctionalInterface
    protected interface LayerCall {
        Tensor apply(Tensor h, KvCache cache);
    }

    /** Width of one token's keys (kv heads x head dim). */
    protected abstract int kvWidth();

    /**
     * Runs new tokens through the model.
     *
     * @param ids flat [batch * seq] ids
     * @param positions flat [batch * seq] position ids
     * @param mask [batch][cache.length() + seq] or null
     * @param cache keys/values so far; the new ones are appended
     * @param lastOnly compute logits for the last position of each row only
     * @return logits [batch * seq (or batch), vocab] and, on request, the hidden states
     */
    protected abstract Pass run(int[] ids, int batch, int seq, int[] positions, int[][] mask, KvCache cache,
                                boolean hidden, boolean lastOnly);

    /** Result of {@link #run}. */
    public record Pass(Tensor logits, List<Tensor> hiddenStates) {}

    /** A fresh cache for {@code batch} rows. */
    public KvCache newCache(int batch, int capacity) {
        return new KvCache(config().numHiddenLayers(), batch, kvWidth(), capacity);
    }

    @Override
    public CausalLMOutput forward(ForwardArgs a) {
        int[] shape = a.requireShapes();
        int batch = shape[0];
        int seq = shape[1];
        int[] flat = flatten(a.inputIds());
        int[] pos = a.positionIds() != null ? flatten(a.positionIds()) : defaultPositions(batch, seq, 0);
        int[][] mask = a.attentionMaskOrDocuments();
        KvCache cache = newCache(batch, seq);
        Pass p = run(flat, batch, seq, pos, mask, cache, a.outputHiddenStates(), false);
        int vocab = p.logits().dim(1);
        Tensor logits = p.logits().reshape(batch, seq, vocab);
        Float loss = null;
        Tensor lossTensor = null;
        if (a.labels() != null) {
            lossTensor = backend.crossEntropyLoss(p.logits(), a.shiftedLabels());
            loss = lossTensor.getFloat(0);
        }
        Tensor hidden = null;
        if (a.outputHiddenStates()) {
            int h = p.hiddenStates().get(0).dim(1);
            float[] all = new float[p.hiddenStates().size() * batch * seq * h];
            int off = 0;
            for (Tensor t : p.hiddenStates()) {
                float[] d = t.data();
                System.arraycopy(d, 0, all, off, d.length);
                off += d.length;
            }
            hidden = Tensor.of(all, p.hiddenStates().size(), batch, seq, h);
        }
        return new CausalLMOutput(logits, loss, hidden, lossTensor);
    }

    /**
     * The pass {@link #forward} runs for {@code inputIds} with default positions and no mask,
     * returned before its outputs are reshaped: logits [batch * seq, vocab] and, when
     * {@code outputHiddenStates}, each hidden state [batch * seq, hidden] in transformers' order (the
     * embeddings, the output of every layer but the last, the final norm of the last layer's output). A tracing backend
     * reads the hidden states from here to make them graph outputs.
     */
    public Pass forwardPass(int[][] inputIds, boolean outputHiddenStates) {
        if (inputIds.length == 0 || inputIds[0] == null || inputIds[0].length == 0) {
            throw new IllegalArgumentException("input_ids is empty");
        }
        int batch = inputIds.length;
        int seq = inputIds[0].length;
        ForwardArgs.requireShape("input_ids", inputIds, batch, seq);
        return run(flatten(inputIds), batch, seq, defaultPositions(batch, seq, 0), null, newCache(batch, seq),
                outputHiddenStates, false);
    }

    /**
     * Feeds new tokens [batch][n] into {@code cache} and returns the last position's logits per
     * row, [batch][vocab]: one step of generation.
     */
    public float[][] step(KvCache cache, int[][] tokens, int[][] positionIds, int[][] attentionMask) {
        int batch = tokens.length;
        int n = tokens[0].length;
        ForwardArgs.requireShape("tokens", tokens, batch, n);
        ForwardArgs.requireShape("position_ids", positionIds, batch, n);
        if (attentionMask != null) {
            ForwardArgs.requireShape("attention_mask", attentionMask, batch, cache.length() + n);
        }
        Pass p = run(flatten(tokens), batch, n, flatten(positionIds), attentionMask, cache, false, true);
        int vocab = p.logits().dim(1);
        float[] d = p.logits().data();
        float[][] out = new float[batch][vocab];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(d, b * vocab, out[b], 0, vocab);
        }
        return out;
    }

    /**
     * The network inside a module tree: {@code root} itself, or the model a wrapper such as a PEFT
     * model holds; empty when there is none.
     */
    public static java.util.Optional<PreTrainedCausalLM> find(Module root) {
        if (root instanceof PreTrainedCausalLM p) {
            return java.util.Optional.of(p);
        }
        for (Module m : root.namedModules().values()) {
            if (m instanceof PreTrainedCausalLM p) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }

    protected static int[] defaultPositions(int batch, int seq, int past) {
        int[] pos = new int[batch * seq];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                pos[b * seq + t] = past + t;
            }
        }
        return pos;
    }

    protected static int[] flatten(int[][] rows) {
        int cols = rows[0].length;
        int[] out = new int[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * cols, cols);
        }
        return out;
    }

    /**
     * What every architecture does after its last layer: mark the new cache slots filled, keep
     * only the last position of each row when asked, apply the final norm (recorded as the last
     * hidden state), and project with {@code lm_head}.
     *
     * @param states the hidden states collected so far, or null when not requested
     */
    protected final Pass finish(Tensor h, java.util.function.UnaryOperator<Tensor> finalNorm, int batch, int seq,
                                KvCache cache, List<Tensor> states, boolean lastOnly) {
        cache.advance(seq);
        if (lastOnly) {
            h = backend.selectRows(h, lastPositions(batch, seq));
        }
        h = finalNorm.apply(h);
        if (states != null) {
            states.add(h);
        }
        return new Pass(child("lm_head", dev.tune4j.nn.LinearLayer.class).forward(h), states);
    }

    /** Row indices [b * seq + seq - 1] of a [batch * seq, w] tensor: the last position of each row. */
    protected static int[] lastPositions(int batch, int seq) {
        int[] rows = new int[batch];
        for (int b = 0; b < batch; b++) {
            rows[b] = b * seq + seq - 1;
        }
        return rows;
    }
}
