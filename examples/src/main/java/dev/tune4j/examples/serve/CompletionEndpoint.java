package dev.tune4j.examples.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.lora.serving.GenerationRequest;
import dev.tune4j.lora.serving.LoraServer;
import dev.tune4j.lora.serving.RequestOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions}: OpenAI's request fields
 * (model, prompt or messages, max_tokens, temperature, top_p, seed, stream) plus vLLM's top_k,
 * min_tokens, repetition_penalty, ignore_eos and return_token_ids; {@code model} names the base model or an
 * adapter, as in vLLM.
 */
final class CompletionEndpoint {
    private static final int DEFAULT_MAX_TOKENS = 16;
    private static final int DEFAULT_CHAT_MAX_TOKENS = 256;

    private final LoraServer server;
    private final String baseName;
    private final boolean chat;
    private final ObjectMapper json;
    private final AtomicLong ids = new AtomicLong();

    CompletionEndpoint(LoraServer server, String baseName, boolean chat, ObjectMapper json) {
        this.server = server;
        this.baseName = baseName;
        this.chat = chat;
        this.json = json;
    }

    /** Answers one request: a JSON body, or server-sent events when {@code stream} is true. */
    void handle(HttpExchange ex, JsonNode body) throws IOException {
        String model = optText(body, "model");
        if (model == null) {
            model = baseName;
        }
        String lora = model.equals(baseName) ? null : model;
        if (lora != null && !server.listLoras().contains(lora)) {
            throw new ApiException(404, "NotFoundError", "model", "The model `" + model + "` does not exist.");
        }
        GenerationRequest.Builder req = GenerationRequest.builder().loraName(lora).config(config(body));
        if (chat) {
            req.messages(messages(body));
        } else {
            prompt(body, req);
        }
        JsonNode streamNode = body.get("stream");
        if (streamNode != null && !streamNode.isNull() && !streamNode.isBoolean()) {
            throw ApiException.badRequest("stream", "stream must be a boolean, found " + streamNode);
        }
        boolean returnIds = body.path("return_token_ids").asBoolean(false);
        String id = (chat ? "chatcmpl-" : "cmpl-") + ids.incrementAndGet();
        long created = System.currentTimeMillis() / 1000;
        if (streamNode != null && streamNode.asBoolean()) {
            stream(ex, req, id, created, model, returnIds);
            return;
        }
        RequestOutput out;
        try {
            out = server.submit(req.build()).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        ObjectNode root = envelope(id, created, model, chat ? "chat.completion" : "text_completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        String text = out.text().orElse("");
        if (chat) {
            choice.putObject("message").put("role", "assistant").put("content", text);
        } else {
            choice.put("text", text);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", out.finishReason().openAiName());
        if (returnIds) {
            ArrayNode t = choice.putArray("token_ids");
            for (int tok : out.tokenIds()) {
                t.add(tok);
            }
            ArrayNode p = root.putArray("prompt_token_ids");
            for (int tok : out.promptTokenIds()) {
                p.add(tok);
            }
        }
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", out.promptTokenIds().length);
        usage.put("completion_tokens", out.tokenIds().length);
        usage.put("total_tokens", out.promptTokenIds().length + out.tokenIds().length);
        OpenAiServer.send(ex, 200, json.writeValueAsBytes(root));
    }

    private void stream(HttpExchange ex, GenerationRequest.Builder req, String id, long created, String model,
            boolean returnIds) throws IOException {
        BlockingQueue<Integer> tokens = new LinkedBlockingQueue<>();
        // The scheduler only enqueues; this thread writes, so a slow client never holds up the batch.
        CompletableFuture<RequestOutput> future = server.submit(req.streamer(tokens::add).build());
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        TextDeltas deltas = new TextDeltas(server.tokenizer().orElse(null));
        try (OutputStream os = ex.getResponseBody()) {
            if (chat) {
                event(os, chunk(id, created, model, "", null, null, true));
            }
            while (true) {
                Integer t = tokens.poll(20, TimeUnit.MILLISECONDS);
                if (t != null) {
                    String piece = deltas.add(t);
                    if (!piece.isEmpty() || returnIds) {
                        event(os, chunk(id, created, model, piece, null, returnIds ? t : null, false));
                    }
                } else if (future.isDone() && tokens.isEmpty()) {
                    break;
                }
            }
            try {
                RequestOutput out = future.join();
                event(os, chunk(id, created, model, deltas.finish(), out.finishReason().openAiName(), null, false));
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                ObjectNode err = json.createObjectNode();
                err.putObject("error").put("message", String.valueOf(cause.getMessage()))
                        .put("type", "InternalServerError").put("code", 500);
                event(os, err);
            }
            os.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            os.flush();
        } catch (IOException e) {
            future.cancel(true);   // the client went away: free its row
            throw e;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
        }
    }

    private ObjectNode chunk(String id, long created, String model, String text, String finish, Integer token,
            boolean roleOnly) {
        ObjectNode root = envelope(id, created, model, chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (roleOnly) {
                delta.put("role", "assistant");
            }
            if (roleOnly || !text.isEmpty() || finish == null) {
                delta.put("content", text);
            }
        } else {
            choice.put("text", text);
        }
        choice.putNull("logprobs");
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        if (token != null) {
            choice.putArray("token_ids").add(token);
        }
        return root;
    }

    private void event(OutputStream os, JsonNode node) throws IOException {
        os.write(("data: " + json.writeValueAsString(node) + "\n\n").getBytes(StandardCharsets.UTF_8));
        os.flush();
    }

    private ObjectNode envelope(String id, long created, String model, String object) {
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    // ---- request fields ----

    private GenerationConfig config(JsonNode body) {
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && (!n.canConvertToInt() || n.asInt() != 1)) {
            throw ApiException.badRequest("n", "only n=1 is supported, found " + n);
        }
        JsonNode stop = body.get("stop");
        if (stop != null && !stop.isNull() && !(stop.isArray() && stop.isEmpty())) {
            throw ApiException.badRequest("stop", "stop sequences are not supported; use max_tokens or the eos token");
        }
        for (String unsupported : List.of("presence_penalty", "frequency_penalty")) {
            double v = optNumber(body, unsupported, 0.0);
            if (v != 0.0) {
                throw ApiException.badRequest(unsupported, unsupported + " is not supported (found " + v + ")");
            }
        }
        Integer maxTokens = optInt(body, chat && body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens");
        int max = maxTokens != null ? maxTokens : chat ? DEFAULT_CHAT_MAX_TOKENS : DEFAULT_MAX_TOKENS;
        if (max < 1) {
            throw ApiException.badRequest("max_tokens", "max_tokens must be >= 1, found " + max);
        }
        double temperature = optNumber(body, "temperature", 1.0);
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw ApiException.badRequest("temperature", "temperature must be >= 0, found " + temperature);
        }
        double topP = optNumber(body, "top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) {
            throw ApiException.badRequest("top_p", "top_p must be in (0, 1], found " + topP);
        }
        Integer topK = optInt(body, "top_k");
        Integer seed = optInt(body, "seed");
        Integer minTokens = optInt(body, "min_tokens");
        double repetition = optNumber(body, "repetition_penalty", 1.0);
        if (!(repetition > 0)) {
            throw ApiException.badRequest("repetition_penalty", "repetition_penalty must be > 0, found " + repetition);
        }
        Set<Integer> eos = new LinkedHashSet<>(server.model().generationConfig().eosTokenIds());
        server.tokenizer().flatMap(t -> t.eosTokenId()).ifPresent(eos::add);
        JsonNode ignoreEos = body.get("ignore_eos");
        if (ignoreEos != null && !ignoreEos.isNull() && !ignoreEos.isBoolean()) {
            throw ApiException.badRequest("ignore_eos", "ignore_eos must be a boolean, found " + ignoreEos);
        }
        if (ignoreEos != null && ignoreEos.asBoolean()) {
            eos.clear();   // vLLM's ignore_eos: generate max_tokens whatever comes
        }
        var b = GenerationConfig.builder().maxNewTokens(max).eosTokenIds(new ArrayList<>(eos))
                .repetitionPenalty(repetition);
        if (minTokens != null && minTokens > 0) {
            b.minNewTokens(minTokens);
        }
        // As in vLLM, temperature 0 means greedy.
        if (temperature > 0) {
            b.doSample(true).temperature(temperature).topP(topP).topK(topK == null || topK < 0 ? 0 : topK);
            if (seed != null) {
                b.seed((long) seed);
            }
        }
        return b.build();
    }

    private static void prompt(JsonNode body, GenerationRequest.Builder req) {
        JsonNode p = body.get("prompt");
        if (p == null || p.isNull()) {
            throw ApiException.badRequest("prompt", "prompt is required (a string or a list of token ids)");
        }
        if (p.isArray() && p.size() == 1 && (p.get(0).isTextual() || p.get(0).isArray())) {
            p = p.get(0);   // a batch of one
        }
        if (p.isTextual()) {
            req.prompt(p.asText());
        } else if (p.isArray() && !p.isEmpty()) {
            int[] ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                if (!p.get(i).canConvertToInt() || !p.get(i).isIntegralNumber()) {
                    throw ApiException.badRequest("prompt", "prompt must be a string or a list of token ids; item " + i
                            + " is " + p.get(i));
                }
                ids[i] = p.get(i).asInt();
            }
            req.promptTokenIds(ids);
        } else {
            throw ApiException.badRequest("prompt", "prompt must be a non-empty string or list of token ids (one prompt"
                    + " per request), found " + p);
        }
    }

    private static List<Map<String, Object>> messages(JsonNode body) {
        JsonNode m = body.get("messages");
        if (m == null || !m.isArray() || m.isEmpty()) {
            throw ApiException.badRequest("messages", "messages must be a non-empty list of {role, content}");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            JsonNode msg = m.get(i);
            JsonNode role = msg.get("role");
            JsonNode content = msg.get("content");
            if (!msg.isObject() || role == null || !role.isTextual() || content == null) {
                throw ApiException.badRequest("messages", "messages[" + i + "] must have a string role and a content");
            }
            String text;
            if (content.isTextual()) {
                text = content.asText();
            } else if (content.isArray()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode part : content) {
                    if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                        throw ApiException.badRequest("messages", "messages[" + i + "]: only text content parts are"
                                + " supported, found " + part);
                    }
                    sb.append(part.get("text").asText());
                }
                text = sb.toString();
            } else {
                throw ApiException.badRequest("messages", "messages[" + i + "].content must be a string, found " + content);
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("role", role.asText());
            entry.put("content", text);
            out.add(entry);
        }
        return out;
    }

    private static String optText(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string, found " + v);
        }
        return v.asText();
    }

    private static Integer optInt(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiException.badRequest(field, field + " must be an integer, found " + v);
        }
        return v.asInt();
    }

    private static double optNumber(JsonNode body, String field, double dflt) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw ApiException.badRequest(field, field + " must be a number, found " + v);
        }
        return v.asDouble();
    }
}
