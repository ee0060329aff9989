package dev.tune4j.lora.serving;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.LogitsProcessorList;
import dev.tune4j.generation.Sampling;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.LoraLinear;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.KvCache;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one base model and many LoRA adapters at once, with continuous batching: requests for
 * different adapters (and the bare base) share each batched decoding step, the LoRA part being
 * computed per adapter group of rows ({@code x_g A_g^T B_g^T} over the gathered rows of adapter g,
 * the segmented matmul of Punica / S-LoRA), never by merging weights. vLLM's multi-LoRA serving,
 * in its terms:
 *
 * <pre>{@code
 * // vLLM: llm = LLM(model, enable_lora=True, max_loras=4, max_lora_rank=16)
 * //       llm.generate(prompt, SamplingParams(max_tokens=32), lora_request=LoRARequest("sql", 1, "/adapters/sql"))
 * try (LoraServer server = LoraServer.builder(AutoModelForCausalLM.fromPretrained(modelDir))
 *         .tokenizer(AutoTokenizer.fromPretrained(modelDir)).maxLoras(4).maxLoraRank(16).build()) {
 *     server.loadLora("sql", Path.of("/adapters/sql"));
 *     RequestOutput out = server.submit(GenerationRequest.builder().prompt("SELECT").loraName("sql")
 *             .config(GenerationConfig.builder().maxNewTokens(32).build()).build()).join();
 * }
 * }</pre>
 *
 * <p>How it works. One scheduler thread owns the model; callers on any thread {@link #submit} and
 * get a future. At each step boundary the scheduler runs queued adapter commands, drops cancelled
 * requests, admits waiting requests up to {@code maxNumSeqs} (each prompt is prefilled on its own
 * and its keys/values copied into its row of the pooled cache, right-aligned behind masked slots
 * as in a left-padded batch), then runs one decoding step for every running row and applies each
 * request's own logits processors, sampler and stopping rules (those of {@code generate()}). A
 * greedy (or seeded) request therefore gets the tokens {@code PeftModel.generate} gives it alone.
 *
 * <p>Adapters. {@link #loadLora} registers an adapter folder (refusing a rank above
 * {@code maxLoraRank} and DoRA adapters, which peft cannot mix per row either); at most
 * {@code maxLoras} are resident at once: a request for another one evicts the least recently used
 * adapter that no running row needs, and reloads from its folder later when asked again. When
 * every resident adapter is busy, the request waits for a row to finish.
 *
 * <p>Reliability. The waiting queue is bounded ({@code maxQueuedRequests}): beyond it
 * {@link #submit} throws {@link ServerOverloadedException}. Bad input (unknown adapter, invalid
 * config, token ids outside the vocabulary) is refused at submission; a failure inside one request
 * (its adapter fails to load, its streamer throws) fails that request's future only.
 *
 * <p>The server wraps the base model's linear layers in LoRA layers (as {@code PeftModel} does) and
 * never closes the model: the caller does, after closing the server.
 */
public final class LoraServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoraServer.class);

    private final CausalLM base;
    private final PreTrainedCausalLM lm;
    private final PretrainedTokenizer tokenizer;
    private final int maxLoras;
    private final int maxLoraRank;
    private final int maxNumSeqs;
    private final int maxQueuedRequests;
    private final int maxModelLen;

    /** Adapters that may be served, by name: their folders. */
    private final Map<String, Path> registered = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Adapters loaded into the model, least recently used first. Scheduler thread only. */
    private final LinkedHashMap<String, Boolean> resident = new LinkedHashMap<>(16, 0.75f, true);
    private volatile List<String> residentSnapshot = List.of();
    private PeftModel peft;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final ArrayDeque<Runnable> commands = new ArrayDeque<>();
    private boolean closed;

    private final List<Sequence> running = new ArrayList<>();
    private volatile int runningCount;
    private KvCache pool;
    private boolean membershipChanged;

    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread scheduler;

    private LoraServer(Builder b) {
        if (b.model instanceof PeftModel) {
            throw new IllegalArgumentException("LoraServer takes the base model; load adapters with loadLora(name, dir)");
        }
        if (!(b.model instanceof PreTrainedCausalLM m)) {
            throw new IllegalArgumentException("LoraServer needs a model with a KV-cached step (a PreTrainedCausalLM),"
                    + " found " + b.model.getClass().getName());
        }
        this.base = b.model;
        this.lm = m;
        this.tokenizer = b.tokenizer;
        this.maxLoras = positive("maxLoras", b.maxLoras);
        this.maxLoraRank = positive("maxLoraRank", b.maxLoraRank);
        this.maxNumSeqs = positive("maxNumSeqs", b.maxNumSeqs);
        this.maxQueuedRequests = positive("maxQueuedRequests", b.maxQueuedRequests);
        this.maxModelLen = positive("maxModelLen", b.maxModelLen > 0 ? b.maxModelLen : defaultMaxModelLen(m));
        this.scheduler = Thread.ofPlatform().name("lora-server-scheduler").daemon(true).unstarted(this::loop);
        scheduler.start();
    }

    /** vLLM's default max_model_len: the model's max_position_embeddings (n_positions for GPT-2). */
    private static int defaultMaxModelLen(PreTrainedCausalLM m) {
        return switch (m.config()) {
            case dev.tune4j.models.LlamaConfig c -> c.maxPositionEmbeddings();
            case dev.tune4j.models.Gpt2Config c -> c.nPositions();
            default -> Integer.MAX_VALUE;
        };
    }

    private static int positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, found " + v);
        }
        return v;
    }

    /** A builder over {@code model}, the base model (full precision or 4-bit). */
    public static Builder builder(CausalLM model) {
        return new Builder(Objects.requireNonNull(model, "model"));
    }

    // ---- adapters ----

    /**
     * Registers the peft adapter folder {@code dir} under {@code name} (vLLM's
     * {@code load_lora_adapter}) and loads it now when a slot is free or can be freed.
     *
     * @throws IllegalArgumentException when the name is taken or reserved, the folder is not a
     *         readable adapter, its rank exceeds {@code maxLoraRank}, it is a DoRA adapter, or its
     *         weights do not fit the base model
     */
    public void loadLora(String name, Path dir) {
        if (name == null || name.isBlank() || name.equals(LoraLinear.BASE)) {
            throw new IllegalArgumentException("adapter name must be non-empty and not " + LoraLinear.BASE + ", found '"
                    + name + "'");
        }
        if (Thread.currentThread() == scheduler) {
            throw new IllegalStateException("loadLora cannot be called from a streamer callback");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("Can't find adapter folder at '" + dir + "'");
        }
        LoraConfig config = LoraConfig.fromPretrained(dir);
        int rank = config.r();
        for (int r : config.rankPattern().values()) {
            rank = Math.max(rank, r);
        }
        if (rank > maxLoraRank) {
            throw new IllegalArgumentException("LoRA rank " + rank + " of adapter '" + name + "' (" + dir
                    + ") is greater than maxLoraRank " + maxLoraRank + "; raise maxLoraRank to serve it");
        }
        if (config.useDora()) {
            throw new IllegalArgumentException("adapter '" + name + "' (" + dir + ") is a DoRA adapter: DoRA cannot"
                    + " be mixed per row in a batch; merge it into a model of its own (mergeAndUnload) to serve it");
        }
        synchronized (registered) {
            if (registered.containsKey(name)) {
                throw new IllegalArgumentException("an adapter named '" + name + "' is already loaded (from "
                        + registered.get(name) + "); unloadLora it first");
            }
            registered.put(name, dir);
        }
        try {
            runOnScheduler(() -> {
                makeResident(name, inUse());
                return null;
            });
        } catch (RuntimeException e) {
            registered.remove(name);
            throw e;
        }
    }

    /**
     * Forgets adapter {@code name} (vLLM's {@code unload_lora_adapter}): new and queued requests for
     * it fail with {@link UnknownLoraException}; running ones finish, then its weights are dropped.
     */
    public void unloadLora(String name) {
        if (registered.remove(name) == null) {
            throw new UnknownLoraException(name, listLoras());
        }
        lock.lock();
        try {
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Names of the adapters that can be served, in registration order. */
    public List<String> listLoras() {
        synchronized (registered) {
            return List.copyOf(registered.keySet());
        }
    }

    /** The tokenizer given to the builder, if any. */
    public Optional<PretrainedTokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    /** The base model. */
    public CausalLM model() {
        return base;
    }

    /** vLLM's {@code max_loras}: adapters resident at once. */
    public int maxLoras() {
        return maxLoras;
    }

    /** vLLM's {@code max_lora_rank}: the largest rank {@link #loadLora} accepts. */
    public int maxLoraRank() {
        return maxLoraRank;
    }

    /** vLLM's {@code max_num_seqs}: rows in the running batch. */
    public int maxNumSeqs() {
        return maxNumSeqs;
    }

    /** vLLM's {@code max_model_len}: the longest prompt + new tokens a request may ask for. */
    public int maxModelLen() {
        return maxModelLen;
    }

    /** A snapshot of the server's counters and adapters. */
    public ServerStats stats() {
        int w;
        lock.lock();
        try {
            w = waiting.size();
        } finally {
            lock.unlock();
        }
        return new ServerStats(runningCount, w, residentSnapshot, listLoras(), steps.get(), generatedTokens.get(),
                completed.get(), failed.get());
    }

    // ---- requests ----

    /**
     * Queues a request; the future completes with its output, or exceptionally when it fails.
     * Cancelling the future stops its generation at the next step boundary.
     *
     * @throws UnknownLoraException      the adapter is not loaded
     * @throws IllegalArgumentException  the prompt or config is invalid
     * @throws ServerOverloadedException the queue is full
     * @throws IllegalStateException     the server is closed
     */
    public CompletableFuture<RequestOutput> submit(GenerationRequest request) {
        Objects.requireNonNull(request, "request");
        String name = request.loraName();
        boolean isBase = name == null || name.equals(LoraLinear.BASE);
        if (!isBase && !registered.containsKey(name)) {
            throw new UnknownLoraException(name, listLoras());
        }
        int[] prompt = promptIds(request);
        GenerationConfig config = request.config() != null ? request.config() : lm.generationConfig();
        if (config.numBeams() != 1) {
            throw new IllegalArgumentException("num_beams=" + config.numBeams() + ": beam search is not served; use numBeams(1)");
        }
        int maxLength = config.maxNewTokens().isPresent() ? config.maxNewTokens().getAsInt() + prompt.length
                : config.maxLength();
        if (prompt.length >= maxLength) {
            throw new IllegalArgumentException("Input length of input_ids is " + prompt.length + ", but max_length is set to "
                    + maxLength + "; increase maxLength or, better, set maxNewTokens");
        }
        if (maxLength > maxModelLen) {
            throw new IllegalArgumentException("This model's maximum context length is " + maxModelLen
                    + " tokens. However, you requested " + maxLength + " tokens (" + prompt.length + " in the prompt, "
                    + (maxLength - prompt.length) + " for the completion). Please reduce the prompt or the new tokens.");
        }
        LogitsProcessorList processors = LogitsProcessorList.fromConfig(config, prompt.length);
        var random = config.doSample() ? Sampling.newRandom(config.seed()) : null;
        var future = new CompletableFuture<RequestOutput>();
        Sequence s = new Sequence(nextId.getAndIncrement(), isBase ? LoraLinear.BASE : name, isBase ? null : name,
                prompt, config, maxLength, processors, random, request.streamer(), future);
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("LoraServer is closed");
            }
            if (waiting.size() >= maxQueuedRequests) {
                throw new ServerOverloadedException("server overloaded: " + waiting.size()
                        + " requests waiting (maxQueuedRequests=" + maxQueuedRequests + "); retry later");
            }
            waiting.add(s);
            work.signalAll();
        } finally {
            lock.unlock();
        }
        return future;
    }

    /** {@link #submit} and wait: the output, or the request's failure rethrown unchecked. */
    public RequestOutput generate(GenerationRequest request) {
        try {
            return submit(request).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private int[] promptIds(GenerationRequest r) {
        int[] ids;
        if (r.promptTokenIds() != null) {
            ids = r.promptTokenIds();
        } else {
            if (tokenizer == null) {
                throw new IllegalArgumentException("a text or chat prompt needs a tokenizer; build the server with"
                        + " .tokenizer(...) or send token ids");
            }
            if (r.prompt() != null) {
                ids = tokenizer.encode(r.prompt(), r.addSpecialTokens()).ids();
            } else {
                if (tokenizer.chatTemplate().isEmpty()) {
                    throw new IllegalArgumentException("chat messages need a tokenizer with a chat_template; this one has none");
                }
                String text = tokenizer.applyChatTemplate(r.messages(), true);
                // The template writes the special tokens itself (as vLLM encodes chat prompts).
                ids = tokenizer.encode(text, false).ids();
            }
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: expected at least one token");
        }
        int vocab = lm.config().vocabSize();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("prompt token " + i + " is " + ids[i] + ": expected an id in [0, "
                        + vocab + ")");
            }
        }
        return ids;
    }

    // ---- scheduler ----

    private <T> T runOnScheduler(java.util.function.Supplier<T> body) {
        var f = new CompletableFuture<T>();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("LoraServer is closed");
            }
            commands.add(() -> {
                try {
                    f.complete(body.get());
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
            work.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private void loop() {
        while (true) {
            List<Runnable> todo;
            lock.lock();
            try {
                while (!closed && commands.isEmpty() && running.isEmpty() && waiting.isEmpty()) {
                    work.await(1, TimeUnit.SECONDS);
                }
                if (closed) {
                    break;
                }
                todo = new ArrayList<>(commands);
                commands.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                lock.unlock();
            }
            try {
                todo.forEach(Runnable::run);
                dropCancelled();
                admit();
                if (!running.isEmpty()) {
                    decodeStep();
                }
            } catch (RuntimeException | Error e) {
                // Defensive: a bug must not kill the server; the rows in flight fail, the rest go on.
                LOG.error("serving step failed; failing the {} running requests", running.size(), e);
                for (Sequence s : running) {
                    fail(s, e);
                }
                running.clear();
                membershipChanged = true;
            }
            runningCount = running.size();
        }
        var closedError = new IllegalStateException("LoraServer closed before the request finished");
        lock.lock();
        try {
            waiting.forEach(s -> s.future.completeExceptionally(closedError));
            waiting.clear();
            commands.forEach(Runnable::run);
            commands.clear();
        } finally {
            lock.unlock();
        }
        running.forEach(s -> s.future.completeExceptionally(closedError));
        running.clear();
        runningCount = 0;
    }

    private void dropCancelled() {
        if (running.removeIf(s -> s.future.isDone())) {
            membershipChanged = true;
        }
    }

    private Set<String> inUse() {
        Set<String> used = new HashSet<>();
        for (Sequence s : running) {
            used.add(s.adapter);
        }
        return used;
    }

    /** Admits waiting requests in arrival order while rows are free; those whose adapter cannot be loaded yet wait on. */
    private void admit() {
        List<Sequence> candidates = new ArrayList<>();
        lock.lock();
        try {
            int free = maxNumSeqs - running.size();
            while (free > 0 && !waiting.isEmpty()) {
                Sequence s = waiting.poll();
                if (!s.future.isDone()) {
                    candidates.add(s);
                    free--;
                }
            }
        } finally {
            lock.unlock();
        }
        Set<String> used = inUse();
        evictUnregistered(used);
        List<Sequence> deferred = new ArrayList<>();
        for (Sequence s : candidates) {
            if (!s.adapter.equals(LoraLinear.BASE)) {
                if (!registered.containsKey(s.adapter)) {
                    fail(s, new UnknownLoraException(s.adapter, listLoras()));
                    continue;
                }
                boolean ready;
                try {
                    ready = makeResident(s.adapter, used);
                } catch (RuntimeException e) {
                    fail(s, e);
                    continue;
                }
                if (!ready) {
                    deferred.add(s);
                    continue;
                }
            }
            used.add(s.adapter);
            prefill(s);
        }
        if (!deferred.isEmpty()) {
            lock.lock();
            try {
                for (int i = deferred.size() - 1; i >= 0; i--) {
                    waiting.addFirst(deferred.get(i));
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Loads {@code name} unless resident, evicting the least recently used idle adapter; false when all are busy. */
    private boolean makeResident(String name, Set<String> used) {
        if (resident.containsKey(name)) {
            resident.get(name); // marks it most recently used
            return true;
        }
        Path dir = registered.get(name);
        if (dir == null) {
            throw new UnknownLoraException(name, listLoras());
        }
        while (resident.size() >= maxLoras) {
            String victim = null;
            for (String r : resident.keySet()) {
                if (!used.contains(r)) {
                    victim = r;
                    break;
                }
            }
            if (victim == null) {
                return false;
            }
            evict(victim);
        }
        if (peft == null) {
            peft = PeftModel.fromPretrained(base, dir, name, false);
        } else {
            peft.loadAdapter(dir, name);
        }
        resident.put(name, Boolean.TRUE);
        residentSnapshot = List.copyOf(resident.keySet());
        return true;
    }

    private void evict(String name) {
        peft.deleteAdapter(name);
        resident.remove(name);
        residentSnapshot = List.copyOf(resident.keySet());
        LOG.info("Evicted LoRA adapter '{}' (maxLoras={})", name, maxLoras);
    }

    private void evictUnregistered(Set<String> used) {
        for (String r : new ArrayList<>(resident.keySet())) {
            if (!registered.containsKey(r) && !used.contains(r)) {
                evict(r);
            }
        }
    }

    private float[][] step(KvCache cache, int[][] tokens, int[][] positions, int[][] mask, List<String> adapters) {
        return peft == null ? lm.step(cache, tokens, positions, mask) : peft.step(cache, tokens, positions, mask, adapters);
    }

    /** Runs the prompt alone into a cache of its own; the row joins the batch if it did not finish at once. */
    private void prefill(Sequence s) {
        try {
            int n = s.promptLength;
            KvCache c = lm.newCache(1, n + 1);
            int[] positions = new int[n];
            int[] ones = new int[n];
            for (int t = 0; t < n; t++) {
                positions[t] = t;
                ones[t] = 1;
            }
            float[][] logits = step(c, new int[][] {s.prompt()}, new int[][] {positions}, new int[][] {ones},
                    List.of(s.adapter));
            s.cache = c;
            s.cacheRow = 0;
            s.cacheStart = 0;
            s.cacheLength = n;
            if (accept(s, logits[0])) {
                running.add(s);
                membershipChanged = true;
            }
        } catch (RuntimeException e) {
            fail(s, e);
        }
    }

    private void decodeStep() {
        if (membershipChanged || pool == null) {
            pool = BatchCache.rebuild(lm, running);
            membershipChanged = false;
        }
        int rows = running.size();
        int[][] tokens = new int[rows][1];
        int[][] positions = new int[rows][1];
        List<String> adapters = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            Sequence s = running.get(r);
            tokens[r][0] = s.last();
            positions[r][0] = s.length - 1;
            adapters.add(s.adapter);
        }
        int[][] mask = BatchCache.stepMask(running, pool.length());
        float[][] logits = step(pool, tokens, positions, mask, adapters);
        steps.incrementAndGet();
        List<Sequence> left = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            Sequence s = running.get(r);
            s.cacheLength++;
            if (accept(s, logits[r])) {
                left.add(s);
            }
        }
        if (left.size() != rows) {
            running.clear();
            running.addAll(left);
            membershipChanged = true;
        }
    }

    /** Chooses, records and streams the next token of {@code s}; false when {@code s} is finished (or failed). */
    private boolean accept(Sequence s, float[] logits) {
        try {
            if (s.future.isDone()) {
                return false;
            }
            float[][] scores = {logits};
            s.processors.process(new int[][] {s.sequence()}, scores);
            int next = s.random == null ? Sampling.argmax(scores[0]) : Sampling.sample(scores[0], s.random);
            s.append(next);
            generatedTokens.incrementAndGet();
            if (s.streamer != null) {
                s.streamer.accept(next);
            }
            FinishReason reason = s.finishReason();
            if (reason == null) {
                return true;
            }
            int[] generated = s.generated();
            Optional<String> text = tokenizer == null ? Optional.empty() : Optional.of(tokenizer.decode(generated, true));
            // Counted before completing, so a caller woken by the future sees it in stats().
            completed.incrementAndGet();
            if (!s.future.complete(new RequestOutput(s.id, s.loraName, s.prompt(), generated, text, reason))) {
                completed.decrementAndGet();
            }
            return false;
        } catch (RuntimeException e) {
            fail(s, e);
            return false;
        }
    }

    private void fail(Sequence s, Throwable e) {
        failed.incrementAndGet();
        if (s.future.completeExceptionally(e)) {
            LOG.debug("request {} failed: {}", s.id, e.toString());
        } else {
            failed.decrementAndGet();
        }
    }

    /** Stops accepting requests, fails those not finished, and stops the scheduler. The model stays open. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != scheduler) {
            try {
                scheduler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "LoraServer(maxLoras=" + maxLoras + ", maxLoraRank=" + maxLoraRank + ", maxNumSeqs=" + maxNumSeqs
                + ", loras=" + listLoras() + ")";
    }

    /** Builder of {@link LoraServer}; defaults follow vLLM where it has the option. */
    public static final class Builder {
        private final CausalLM model;
        private PretrainedTokenizer tokenizer;
        private int maxLoras = 4;
        private int maxLoraRank = 16;
        private int maxNumSeqs = 256;
        private int maxQueuedRequests = 1024;
        private int maxModelLen;

        private Builder(CausalLM model) {
            this.model = model;
        }

        /** The tokenizer for text and chat prompts and decoded outputs; without it prompts are token ids. */
        public Builder tokenizer(PretrainedTokenizer tokenizer) {
            this.tokenizer = tokenizer;
            return this;
        }

        /** vLLM's {@code max_loras}: adapters resident at once (so at most this many in one batch); default 4. */
        public Builder maxLoras(int n) {
            this.maxLoras = n;
            return this;
        }

        /** vLLM's {@code max_lora_rank}: adapters of a larger rank are refused; default 16 (vLLM's). */
        public Builder maxLoraRank(int r) {
            this.maxLoraRank = r;
            return this;
        }

        /** vLLM's {@code max_num_seqs}: rows in the running batch; default 256 (vLLM's). */
        public Builder maxNumSeqs(int n) {
            this.maxNumSeqs = n;
            return this;
        }

        /** Requests that may wait for a row; beyond, {@link LoraServer#submit} refuses; default 1024. */
        public Builder maxQueuedRequests(int n) {
            this.maxQueuedRequests = n;
            return this;
        }

        /**
         * vLLM's {@code max_model_len}: requests whose prompt + new tokens exceed it are refused;
         * default the model's {@code max_position_embeddings}.
         */
        public Builder maxModelLen(int n) {
            this.maxModelLen = n;
            return this;
        }

        public LoraServer build() {
            return new LoraServer(this);
        }
    }
}
