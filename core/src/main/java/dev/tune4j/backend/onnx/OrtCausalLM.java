package dev.tune4j.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tune4j.backend.cpu.CpuBackend;
import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.CausalLMOutput;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.KvCache;
import dev.tune4j.models.LlamaConfig;
import dev.tune4j.models.ModelConfig;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.models.RotaryEmbedding;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A causal LM running in ONNX Runtime: the forward graph (all positions' logits, no cache) and
 * the decode graph (past keys/values in, the new ones and the last position's logits out), both
 * traced from the same {@link PreTrainedCausalLM}. Weights reach both sessions as shared
 * initializers over the model's own buffers (memory-mapped float32 ones without a copy).
 */
final class OrtCausalLM implements MultiLoraCausalLM {
    private static final Logger LOG = LoggerFactory.getLogger(OrtCausalLM.class);
    private static final int TRACE_BATCH = 2;
    private static final int TRACE_SEQ = 3;

    private final PreTrainedCausalLM model;
    private final OrtGraph forwardGraph;
    private final OrtGraph decodeGraph;
    private final List<OnnxTensor> weights;
    /** The LoRA slots traced into both graphs and the adapters loaded for them (none without target modules). */
    private LoraAdapters adapters = new LoraAdapters(Map.of());
    /** The module tree's modules as traced, by identity: a module found later was swapped in since. */
    private final java.util.Set<Module> tracedModules = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** Set for good once the graphs no longer compute the module tree: see {@link #graphsCurrent()}. */
    private volatile boolean eager;
    /** The weights the sessions share, by initializer name (for the graph traced on demand). */
    private Map<String, OnnxTensor> weightsByName = Map.of();
    /** The forward graph with every hidden state as an output too, traced at the first request; or null. */
    private OrtGraph hiddenGraph;

    private OrtCausalLM(PreTrainedCausalLM model, OrtGraph forwardGraph, OrtGraph decodeGraph, List<OnnxTensor> weights) {
        this.model = model;
        this.forwardGraph = forwardGraph;
        this.decodeGraph = decodeGraph;
        this.weights = weights;
        tracedModules.addAll(model.namedModules().values());
    }

    /**
     * Whether the traced graphs still compute the module tree. They hold the weights as compiled
     * (heap values copied once, CPU kernels prepacked) and none of the layers added since: once a
     * layer was swapped in (an adapter injected by PEFT) or a parameter trains (optimizers update
     * values in place), {@link #forward(ForwardArgs)} and {@link #newDecoder(int, int)} run the
     * module itself, whose ops compute on the CPU outside a trace, from then on.
     */
    private boolean graphsCurrent() {
        if (eager) {
            return false;
        }
        String why = null;
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (!tracedModules.contains(e.getValue())) {
                why = "module '" + e.getKey() + "' was added after tracing";
                break;
            }
        }
        if (why == null) {
            for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                if (e.getValue().requiresGrad()) {
                    why = "parameter '" + e.getKey() + "' is trained";
                    break;
                }
            }
        }
        if (why != null) {
            eager = true;
            LOG.info("the onnxruntime graphs no longer compute this model ({}): forward passes run on the CPU", why);
        }
        return why == null;
    }

    /** Whether forward passes still run in the sessions (for tests: the ORT path is the one exercised). */
    boolean runsInSessions() {
        return graphsCurrent();
    }

    /** The example batch is made of distinct ids 1 .. 2 * batch * seq: the vocabulary must hold them. */
    static void requireTraceableVocab(PreTrainedCausalLM model) {
        if (model.config().vocabSize() < 2 * TRACE_BATCH * TRACE_SEQ + 2) {
            throw new IllegalArgumentException("vocab_size " + model.config().vocabSize() + " is too small to trace");
        }
    }

    /** The model's parameter values by identity, with their state-dict names (how a trace names weights). */
    static Map<Tensor, String> parameterNames(PreTrainedCausalLM model) {
        Map<Tensor, String> params = new IdentityHashMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            params.putIfAbsent(e.getValue().value(), e.getKey());
        }
        return params;
    }

    /** How the runtime rebuilds the RoPE tables from positions (null without RoPE). */
    static Function<int[], Tensor[]> ropeTables(PreTrainedCausalLM model) {
        return model.config() instanceof LlamaConfig c ? new RotaryEmbedding(c)::tables : null;
    }

    /** The example ids a forward graph is traced on: [TRACE_BATCH][TRACE_SEQ], all distinct. */
    static int[][] exampleIds() {
        int[][] ids = new int[TRACE_BATCH][TRACE_SEQ];
        for (int b = 0; b < TRACE_BATCH; b++) {
            for (int t = 0; t < TRACE_SEQ; t++) {
                ids[b][t] = 1 + b * TRACE_SEQ + t;
            }
        }
        return ids;
    }

    /** A recorder for a forward pass (no past) over {@code ids} at positions 0 .. seq-1. */
    static Trace forwardTrace(int[][] ids, Map<Tensor, String> params, Function<int[], Tensor[]> rope) {
        int batch = ids.length;
        int seq = ids[0].length;
        int[] flatPos = new int[batch * seq];
        for (int i = 0; i < flatPos.length; i++) {
            flatPos[i] = i % seq;
        }
        return new Trace(false, OrtGraph.flatten(ids), flatPos, batch, seq, params, rope);
    }

    static CausalLM compile(PreTrainedCausalLM model, OnnxRuntimeBackend backend) {
        return compile(model, backend, java.util.Set.of());
    }

    /** Compiles with a LoRA slot on each of {@code loraModules} in both graphs. */
    static OrtCausalLM compile(PreTrainedCausalLM model, OnnxRuntimeBackend backend, java.util.Set<String> loraModules) {
        requireTraceableVocab(model);
        Map<Tensor, String> params = parameterNames(model);
        Function<int[], Tensor[]> rope = ropeTables(model);
        Trace forward = traceForward(model, backend, params, rope, false, loraModules);
        Trace decode = traceDecode(model, backend, params, rope, loraModules);
        LoraTargets.requireSlots(loraModules, forward.loraSlots().keySet());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<OnnxTensor> tensors = new ArrayList<>();
        Map<String, OnnxTensor> byName = new HashMap<>();
        OrtGraph fg = null;
        try {
            for (Trace t : List.of(forward, decode)) {
                for (var w : t.weights().entrySet()) {
                    if (!byName.containsKey(w.getKey())) {
                        OnnxTensor o = weightTensor(env, w.getKey(), w.getValue());
                        tensors.add(o);
                        byName.put(w.getKey(), o);
                    }
                }
            }
            fg = graph(env, forward, byName, backend, rope);
            OrtGraph dg = graph(env, decode, byName, backend, rope);
            LOG.debug("onnxruntime sessions ready on {}: {} weights", backend.device(), tensors.size());
            OrtCausalLM compiled = new OrtCausalLM(model, fg, dg, tensors);
            compiled.adapters = new LoraAdapters(forward.loraSlots());
            compiled.weightsByName = byName;
            return compiled;
        } catch (RuntimeException | OrtException e) {
            if (fg != null) {
                fg.close();
            }
            tensors.forEach(OnnxTensor::close);
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("onnxruntime could not load the traced graph: " + e.getMessage(), e);
        }
    }

    /**
     * Runs the model's forward on a small batch with the recorder on; with {@code hiddenStates},
     * every hidden state is a graph output after the logits.
     */
    private static Trace traceForward(PreTrainedCausalLM model, OnnxRuntimeBackend backend, Map<Tensor, String> params,
                                      Function<int[], Tensor[]> rope, boolean hiddenStates, java.util.Set<String> loraModules) {
        int[][] ids = exampleIds();
        Trace trace = forwardTrace(ids, params, rope);
        trace.loraModules = loraModules;
        PreTrainedCausalLM.Pass pass = hiddenStates ? record(backend, trace, () -> model.forwardPass(ids, true)) : null;
        Tensor logits = hiddenStates ? pass.logits() : record(backend, trace, () -> model.forward(ForwardArgs.of(ids)).logits());
        if (trace.last() == null || trace.last().data() != logits.data()) {
            throw new IllegalStateException("the forward pass did not end with the logits op; not traceable");
        }
        trace.outputLogits("tokens");
        if (hiddenStates) {
            trace.outputHiddenStates(pass.hiddenStates());
        }
        return trace;
    }

    /** Fills a cache untraced, then records one cached step: the decode graph. */
    private static Trace traceDecode(PreTrainedCausalLM model, OnnxRuntimeBackend backend, Map<Tensor, String> params,
                                     Function<int[], Tensor[]> rope, java.util.Set<String> loraModules) {
        int n = 2;
        int[][] prefix = new int[TRACE_BATCH][n];
        int[][] prefixPos = new int[TRACE_BATCH][n];
        int[][] ids = new int[TRACE_BATCH][n];
        int[][] pos = new int[TRACE_BATCH][n];
        for (int b = 0; b < TRACE_BATCH; b++) {
            for (int t = 0; t < n; t++) {
                prefix[b][t] = 1 + b * n + t;
                prefixPos[b][t] = t;
                ids[b][t] = 1 + TRACE_BATCH * n + b * n + t;
                pos[b][t] = n + t;
            }
        }
        KvCache cache = model.newCache(TRACE_BATCH, 2 * n);
        model.step(cache, prefix, prefixPos, null);
        Trace trace = new Trace(true, OrtGraph.flatten(ids), OrtGraph.flatten(pos), TRACE_BATCH, n, params, rope);
        trace.loraModules = loraModules;
        float[][] logits = record(backend, trace, () -> model.step(cache, ids, pos, null));
        float[] last = trace.last() == null ? null : trace.last().data();
        if (last == null || last.length != logits.length * logits[0].length || last[0] != logits[0][0]) {
            throw new IllegalStateException("the cached step did not end with the logits op; not traceable");
        }
        trace.outputLogits("batch");
        return trace;
    }

    static <T> T record(OnnxRuntimeBackend backend, Trace trace, java.util.function.Supplier<T> pass) {
        synchronized (backend) {
            backend.trace = trace;
            try {
                return pass.get();
            } finally {
                backend.trace = null;
            }
        }
    }

    /** The traced graph serialized once and loaded into its session, with the weights it reads. */
    static OrtGraph graph(OrtEnvironment env, Trace trace, Map<String, OnnxTensor> weights, OnnxRuntimeBackend backend,
                          Function<int[], Tensor[]> rope) throws OrtException {
        byte[] model = trace.g.toBytes();
        return new OrtGraph(env, session(env, model, trace, weights, backend), trace.inputs(), rope, model.length);
    }

    private static OrtSession session(OrtEnvironment env, byte[] model, Trace trace, Map<String, OnnxTensor> weights,
                                      OnnxRuntimeBackend backend) throws OrtException {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // ORT's intra-op workers spin between ops by default. Inside a JVM that shares the cores
            // (GC, the application, other models) spinning workers starve the one doing the work:
            // on a busy 2-core machine a decode step took 4-5x longer with spinning than without.
            opts.addConfigEntry("session.intra_op.allow_spinning", "0");
            if (!trace.loraSlots().isEmpty()) {
                // ORT warns once per LoRA slot that an initializer which is also a graph input is not
                // constant-folded: exactly what an overridable slot is for, so only errors are logged.
                opts.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            }
            if (backend.cudaDevice() >= 0) {
                try {
                    opts.addCUDA(backend.cudaDevice());
                } catch (OrtException e) {
                    throw new IllegalStateException("device " + backend.device() + " needs the CUDA execution provider:"
                            + " use com.microsoft.onnxruntime:onnxruntime_gpu instead of onnxruntime (" + e.getMessage() + ")", e);
                }
            }
            // addInitializer, not addExternalInitializers: ORT uses these buffers as they are for the
            // session's life (one set shared by both sessions), where the external route copies them
            // into the graph. (The CPU Gemm kernel still prepacks its weights into its own layout.)
            for (String name : trace.weights().keySet()) {
                opts.addInitializer(name, weights.get(name));
            }
            return env.createSession(model, opts);
        }
    }

    /**
     * A weight as an ORT tensor over a direct buffer in native (little-endian) order: a
     * memory-mapped float32 segment is handed over as is; heap values, and float16/bfloat16 ones
     * (compute is float32, as on the CPU backend), are written once off-heap as float32, since ORT
     * reads only direct buffers in place.
     */
    static OnnxTensor weightTensor(OrtEnvironment env, String name, Tensor t) throws OrtException {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("the onnxruntime backend needs a little-endian platform for " + name);
        }
        long[] shape = new long[t.rank()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.dim(i);
        }
        if (t.dtype() == DType.U8) {
            return byteTensor(env, t, shape);
        }
        MemorySegment seg = t.isHeapF32() ? null : t.segment();
        if (seg != null && seg.isNative() && t.dtype() == DType.F32) {
            return OnnxTensor.createTensor(env, seg.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer(), shape);
        }
        FloatBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(t.numel() * 4)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        if (t.isHeapF32()) {
            buf.put(t.data());
        } else {
            for (long i = 0; i < t.numel(); i++) {
                buf.put(t.getFloat(i));
            }
        }
        return OnnxTensor.createTensor(env, buf.flip(), shape);
    }

    /**
     * A uint8 weight (the packed codes of a 4-bit layer) as an ORT tensor: an off-heap segment as
     * it is, heap bytes copied once off-heap, since ORT reads only direct buffers in place.
     */
    private static OnnxTensor byteTensor(OrtEnvironment env, Tensor t, long[] shape) throws OrtException {
        MemorySegment seg = t.segment();
        ByteBuffer buf;
        if (seg.isNative()) {
            buf = seg.asByteBuffer();
        } else {
            buf = ByteBuffer.allocateDirect(Math.toIntExact(seg.byteSize()));
            buf.put(seg.asByteBuffer()).flip();
        }
        return OnnxTensor.createTensor(env, buf, shape, ai.onnxruntime.OnnxJavaType.UINT8);
    }

    /**
     * The forward graph that also outputs the hidden states, traced and loaded at the first request
     * (most callers never ask for them), with the LoRA slots of the other graphs.
     */
    private synchronized OrtGraph hiddenGraph() {
        if (hiddenGraph != null) {
            return hiddenGraph;
        }
        OnnxRuntimeBackend backend = (OnnxRuntimeBackend) model.backend();
        Function<int[], Tensor[]> rope = ropeTables(model);
        Trace trace = traceForward(model, backend, parameterNames(model), rope, true, java.util.Set.copyOf(adapters.modules()));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try {
            for (var w : trace.weights().entrySet()) {
                if (!weightsByName.containsKey(w.getKey())) {
                    throw new IllegalStateException("the hidden-states graph reads weight " + w.getKey()
                            + ", which the forward graph did not");
                }
            }
            hiddenGraph = graph(env, trace, weightsByName, backend, rope);
        } catch (OrtException e) {
            throw new IllegalStateException("onnxruntime could not load the hidden-states graph: " + e.getMessage(), e);
        }
        LOG.debug("onnxruntime hidden-states graph ready on {}", backend.device());
        return hiddenGraph;
    }

    /** The traced graphs, for inspection in tests. */
    OrtGraph forwardGraph() {
        return forwardGraph;
    }

    OrtGraph decodeGraph() {
        return decodeGraph;
    }

    @Override
    public ModelConfig config() {
        return model.config();
    }

    @Override
    public Module module() {
        return model;
    }

    @Override
    public CausalLMOutput forward(ForwardArgs a) {
        if (!graphsCurrent()) {
            return model.forward(a);
        }
        return forward(a, adapters.active());
    }

    @Override
    public CausalLMOutput forward(ForwardArgs a, String adapterName) {
        return forward(a, adapters.get(adapterName));
    }

    private CausalLMOutput forward(ForwardArgs a, LoadedAdapter adapter) {
        int[] shape = a.requireShapes();
        int batch = shape[0];
        int seq = shape[1];
        int[][] ids = a.inputIds();
        int[][] pos = a.positionIdsOrDefault();
        int[][] mask = a.attentionMaskOrDocuments();
        int vocab = config().vocabSize();
        float[] logits = new float[batch * seq * vocab];
        Tensor hidden = null;
        OrtGraph graph = a.outputHiddenStates() ? hiddenGraph() : forwardGraph;
        try (LoadedAdapter.Lease lease = LoadedAdapter.lease(adapter);
             OrtSession.Result r = graph.run(ids, pos, mask, 0, null, lease.options())) {
            ((OnnxTensor) r.get(0)).getFloatBuffer().get(logits);
            if (a.outputHiddenStates()) {
                hidden = hiddenStates(r, batch, seq);
            }
        }
        Tensor flat = Tensor.of(logits, batch * seq, vocab);
        Float loss = null;
        Tensor lossTensor = null;
        if (a.labels() != null) {
            lossTensor = CpuBackend.INSTANCE.crossEntropyLoss(flat, a.shiftedLabels());
            loss = lossTensor.getFloat(0);
        }
        return new CausalLMOutput(flat.reshape(batch, seq, vocab), loss, hidden, null);
    }

    /** The outputs hidden_states.0, .1, ... stacked as the cpu backend returns them: [states, batch, seq, hidden]. */
    private Tensor hiddenStates(OrtSession.Result r, int batch, int seq) {
        List<java.nio.FloatBuffer> states = new ArrayList<>();
        for (int i = 0; ; i++) {
            var out = r.get(Trace.HIDDEN_STATES + i);
            if (out.isEmpty()) {
                break;
            }
            states.add(((OnnxTensor) out.get()).getFloatBuffer());
        }
        int per = states.get(0).remaining();
        float[] all = new float[states.size() * per];
        for (int i = 0; i < states.size(); i++) {
            states.get(i).get(all, i * per, per);
        }
        return Tensor.of(all, states.size(), batch, seq, per / (batch * seq));
    }

    @Override
    public GenerationConfig generationConfig() {
        return model.generationConfig();
    }

    @Override
    public IncrementalDecoder newDecoder(int batch, int capacityHint) {
        if (!graphsCurrent()) {
            return model.newDecoder(batch, capacityHint);
        }
        return new OrtDecoder(decodeGraph, batch, capacityHint, config().vocabSize(), adapters.active());
    }

    @Override
    public IncrementalDecoder newDecoder(int batch, int capacityHint, String adapterName) {
        return new OrtDecoder(decodeGraph, batch, capacityHint, config().vocabSize(), adapters.get(adapterName));
    }

    @Override
    public List<String> loraModules() {
        return adapters.modules();
    }

    @Override
    public void loadAdapter(Path onnxAdapterFile, String adapterName) {
        // Parsed here first: a malformed file or a name without a slot gets a precise message before ORT sees it.
        byte[] bytes = OnnxAdapterFile.readBytes(onnxAdapterFile);
        String source = onnxAdapterFile.toString();
        adapters.load(adapterName, OnnxAdapterFile.fromBytes(bytes, source), () -> bytes, source);
    }

    @Override
    public void loadAdapter(OnnxAdapterFile adapter, String adapterName) {
        adapters.load(adapterName, adapter, adapter::toBytes, "adapter '" + adapterName + "'");
    }

    @Override
    public void setAdapter(String adapterName) {
        if (adapterName == null) {
            throw new IllegalArgumentException("setAdapter needs a name; disableAdapter() runs the base model");
        }
        adapters.setActive(adapterName);
    }

    @Override
    public void disableAdapter() {
        adapters.setActive(null);
    }

    @Override
    public java.util.Optional<String> activeAdapter() {
        return adapters.activeName();
    }

    @Override
    public java.util.Set<String> adapters() {
        return adapters.names();
    }

    @Override
    public void deleteAdapter(String adapterName) {
        adapters.delete(adapterName);
    }

    @Override
    public void savePretrained(Path dir) {
        model.savePretrained(dir);
    }

    /** A training step runs as one ONNX Runtime graph that keeps its activations; turning it off is a no-op. */
    @Override
    public void gradientCheckpointing(boolean on) {
        if (on) {
            throw new UnsupportedOperationException("gradient checkpointing is not available on the onnxruntime backend"
                    + " (a training step runs as one graph that keeps its activations); load the model with backend"
                    + " \"cpu\" to recompute layers in backward");
        }
    }

    @Override
    public void close() {
        try {
            adapters.close();
            forwardGraph.close();
            decodeGraph.close();
            synchronized (this) {
                if (hiddenGraph != null) {
                    hiddenGraph.close();
                }
            }
            weights.forEach(OnnxTensor::close);
        } finally {
            model.close();
        }
    }
}
