package dev.tune4j.examples.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tune4j.lora.serving.LoraServer;
import dev.tune4j.lora.serving.ServerOverloadedException;
import dev.tune4j.lora.serving.UnknownLoraException;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP front for a {@link LoraServer}, on the JDK's built-in HTTP server:
 * {@code POST /v1/completions}, {@code POST /v1/chat/completions} (with {@code "stream": true} as
 * server-sent events in OpenAI's chunk format) and {@code GET /v1/models}, which lists the base
 * model and every adapter. The request's {@code model} field picks the adapter, as in vLLM's
 * {@code --enable-lora} server.
 *
 * <pre>
 * # vLLM: vllm serve MODEL --enable-lora --lora-modules sql=/adapters/sql --port 8000
 * java ... dev.tune4j.examples.serve.OpenAiServer --model MODEL_DIR --lora-modules sql=/adapters/sql --port 8000
 * curl http://127.0.0.1:8000/v1/completions -d '{"model": "sql", "prompt": "SELECT", "max_tokens": 16}'
 * </pre>
 *
 * <p>Errors are JSON bodies {@code {"error": {"message", "type", "param", "code"}}}: 400 for a
 * malformed request, 404 for an unknown model or path, 405 for a wrong method, 413 for a body over
 * 1 MiB, 429 (with {@code Retry-After}) when the queue is full, 503 once the server is closing.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiServer.class);
    private static final int MAX_BODY = 1 << 20;

    private final LoraServer server;
    private final String modelName;
    private final HttpServer http;
    private final ExecutorService executor;
    private final ObjectMapper json = new ObjectMapper();
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Map<String, Path> loraPaths = new LinkedHashMap<>();

    private OpenAiServer(LoraServer server, String modelName, InetSocketAddress address) throws IOException {
        this.server = server;
        this.modelName = modelName;
        this.http = HttpServer.create(address, 0);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(executor);
        var completions = new CompletionEndpoint(server, modelName, false, json);
        var chat = new CompletionEndpoint(server, modelName, true, json);
        http.createContext("/", ex -> dispatch(ex, completions, chat));
        http.start();
    }

    /**
     * Starts serving {@code server} at {@code address} ({@code 127.0.0.1} and port 0 for any free
     * port), the base model being called {@code modelName}. Closing the returned front stops HTTP
     * only; the LoraServer stays the caller's.
     */
    public static OpenAiServer start(LoraServer server, String modelName, InetSocketAddress address) {
        try {
            return new OpenAiServer(server, modelName, address);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** The bound address (with the actual port when 0 was asked). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** The bound port. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The name the base model is served under (the {@code model} field that selects no adapter). */
    public String modelName() {
        return modelName;
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", owned.get(i), e);
            }
        }
    }

    // ---- command line ----

    /**
     * Loads the model, tokenizer and adapters named by the flags and starts serving:
     * {@code --model DIR} (required), {@code --tokenizer DIR} (default: the model folder when it
     * holds a tokenizer.json), {@code --lora-modules name=path ...}, {@code --served-model-name},
     * {@code --host} (default 127.0.0.1), {@code --port} (default 8000), {@code --max-loras},
     * {@code --max-lora-rank}, {@code --max-num-seqs}, {@code --max-queued-requests}. Closing the
     * result also closes the server and the model it loaded.
     */
    public static OpenAiServer launch(String... args) {
        ServeArgs a = ServeArgs.parse(args);
        CausalLM model = AutoModelForCausalLM.fromPretrained(a.model());
        PretrainedTokenizer tokenizer = null;
        Path tok = a.tokenizer() != null ? a.tokenizer()
                : Files.isRegularFile(a.model().resolve("tokenizer.json")) ? a.model() : null;
        if (tok != null) {
            tokenizer = AutoTokenizer.fromPretrained(tok);
        }
        LoraServer server = LoraServer.builder(model).tokenizer(tokenizer).maxLoras(a.maxLoras())
                .maxLoraRank(a.maxLoraRank()).maxNumSeqs(a.maxNumSeqs()).maxQueuedRequests(a.maxQueuedRequests())
                .build();
        try {
            for (var e : a.loraModules().entrySet()) {
                server.loadLora(e.getKey(), e.getValue());
            }
        } catch (RuntimeException e) {
            server.close();
            model.close();
            throw e;
        }
        OpenAiServer front = start(server, a.servedModelName(), new InetSocketAddress(a.host(), a.port()));
        front.loraPaths.putAll(a.loraModules());
        front.owned.add(model);
        front.owned.add(server);
        LOG.info("Serving {} with adapters {} on http://{}:{}/v1", a.servedModelName(), server.listLoras(), a.host(),
                front.port());
        return front;
    }

    /** Command line entry point; see {@link #launch(String...)}. Runs until the process is stopped. */
    public static void main(String[] args) {
        OpenAiServer front;
        try {
            front = launch(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(ServeArgs.USAGE);
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(front::close));
    }

    // ---- dispatch ----

    private void dispatch(HttpExchange ex, CompletionEndpoint completions, CompletionEndpoint chat) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/v1/models" -> {
                    requireMethod(ex, "GET");
                    send(ex, 200, json.writeValueAsBytes(models()));
                }
                case "/v1/completions" -> {
                    requireMethod(ex, "POST");
                    completions.handle(ex, body(ex));
                }
                case "/v1/chat/completions" -> {
                    requireMethod(ex, "POST");
                    chat.handle(ex, body(ex));
                }
                default -> throw new ApiException(404, "NotFoundError", null, "no route " + path);
            }
        } catch (ApiException e) {
            error(ex, e.status, e.type, e.param, e.getMessage());
        } catch (UnknownLoraException e) {
            error(ex, 404, "NotFoundError", "model", e.getMessage());
        } catch (ServerOverloadedException e) {
            ex.getResponseHeaders().set("Retry-After", "1");
            error(ex, 429, "RateLimitError", null, e.getMessage());
        } catch (IllegalArgumentException e) {
            error(ex, 400, "BadRequestError", null, e.getMessage());
        } catch (IllegalStateException e) {
            error(ex, 503, "ServiceUnavailableError", null, e.getMessage());
        } catch (IOException e) {
            LOG.debug("client connection failed: {}", e.toString());
        } catch (RuntimeException | Error e) {
            LOG.warn("request failed", e);
            error(ex, 500, "InternalServerError", null, String.valueOf(e.getMessage()));
        } finally {
            ex.close();
        }
    }

    private static void requireMethod(HttpExchange ex, String method) {
        if (!ex.getRequestMethod().equalsIgnoreCase(method)) {
            ex.getResponseHeaders().set("Allow", method);
            throw new ApiException(405, "MethodNotAllowed", null, ex.getRequestMethod() + " is not allowed here; use "
                    + method);
        }
    }

    private JsonNode body(HttpExchange ex) throws IOException {
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new ApiException(413, "BadRequestError", null, "request body over " + MAX_BODY + " bytes");
        }
        JsonNode node;
        try {
            node = json.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(null, "malformed JSON body: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest(null, "the request body must be a JSON object");
        }
        return node;
    }

    private ObjectNode models() {
        long created = System.currentTimeMillis() / 1000;
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        data.addObject().put("id", modelName).put("object", "model").put("created", created).put("owned_by", "tune4j")
                .put("root", modelName).putNull("parent");
        for (String lora : server.listLoras()) {
            Path p = loraPaths.get(lora);
            data.addObject().put("id", lora).put("object", "model").put("created", created).put("owned_by", "tune4j")
                    .put("root", p == null ? lora : p.toString()).put("parent", modelName);
        }
        return root;
    }

    private void error(HttpExchange ex, int status, String type, String param, String message) {
        ObjectNode root = json.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", message);
        err.put("type", type);
        if (param == null) {
            err.putNull("param");
        } else {
            err.put("param", param);
        }
        err.put("code", status);
        try {
            send(ex, status, json.writeValueAsBytes(root));
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not send the error response: {}", e.toString());
        }
    }

    static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public String toString() {
        return "OpenAiServer(" + modelName + " on " + address() + ")";
    }
}
