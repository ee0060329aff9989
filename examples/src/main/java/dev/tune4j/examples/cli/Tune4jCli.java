package dev.tune4j.examples.cli;

import dev.tune4j.data.Dataset;
import dev.tune4j.examples.embedded.EmbeddedModel;
import dev.tune4j.examples.merge.AdapterMerger;
import dev.tune4j.examples.support.ProgressCallback;
import dev.tune4j.examples.support.QuantizedLoading;
import dev.tune4j.examples.qlora.Llama2QloraRecipe;
import dev.tune4j.examples.serve.OpenAiServer;
import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.TextStreamer;
import dev.tune4j.backend.onnx.OnnxAdapterFile;
import dev.tune4j.lora.OnnxAdapters;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import dev.tune4j.train.SFTConfig;
import dev.tune4j.train.SFTTrainer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A command-line front for the common jobs.
 *
 * <pre>
 * tune4j train RECIPE.json                     fine-tune as the recipe says (see {@link Recipe})
 * tune4j chat [MODEL_DIR] [--adapter DIR] [--max-new-tokens N] [--system TEXT]
 *                                              talk to a model through its chat template (stdin/stdout)
 * tune4j merge --base DIR --adapter DIR[:WEIGHT] ... [--combination cat|linear|svd] --out DIR
 *                                              fold adapters into the base and save the merged model
 * tune4j quantize MODEL_DIR --out DIR          save a 4-bit NF4 copy (when this build has 4-bit loading)
 * tune4j serve --model DIR [--lora-modules name=path ...] [--port 8000]
 *                                              OpenAI-compatible HTTP server over one base and its adapters
 * tune4j export-onnx-adapter ADAPTER_DIR --out FILE.onnx_adapter
 *                                              a peft adapter as an ONNX Runtime adapter (run-time multi-LoRA)
 * </pre>
 *
 * <p>Run with {@code mvn -B -q -pl examples exec:exec -Dexec.mainClass=dev.tune4j.examples.cli.Tune4jCli
 * -Dexample.args="train recipe.json"}.
 */
public final class Tune4jCli {
    private Tune4jCli() {}

    static final String USAGE = """
            usage: tune4j <command> [options]
              train RECIPE.json
              chat [MODEL_DIR] [--adapter DIR] [--max-new-tokens N] [--system TEXT]
              merge --base DIR --adapter DIR[:WEIGHT] [--adapter ...] [--combination cat|linear|svd] --out DIR
              quantize MODEL_DIR --out DIR
              serve --model DIR [--lora-modules name=path ...] [--host 127.0.0.1] [--port 8000]
              export-onnx-adapter ADAPTER_DIR --out FILE.onnx_adapter""";

    public static void main(String[] args) {
        int code = run(args, System.in, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs one command; returns the process exit code (0 ok, 2 bad usage, 3 not available). After
     * {@code serve} the server keeps running in its own threads.
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "train" -> train(rest, out);
                case "chat" -> chat(rest, in, out);
                case "merge" -> merge(rest, out);
                case "quantize" -> quantize(rest, out, err);
                case "export-onnx-adapter" -> exportOnnxAdapter(rest, out);
                case "serve" -> {
                    OpenAiServer front = serve(rest, out);
                    // The HTTP threads keep the JVM running; stopping the process closes the server.
                    Runtime.getRuntime().addShutdownHook(new Thread(front::close));
                    yield 0;
                }
                case "-h", "--help", "help" -> {
                    out.println(USAGE);
                    yield 0;
                }
                default -> {
                    err.println("unknown command '" + args[0] + "'\n" + USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("tune4j " + args[0] + ": " + e.getMessage());
            return 2;
        }
    }

    static int train(String[] args, PrintStream out) {
        if (args.length != 1) {
            throw new IllegalArgumentException("expected one recipe file, found " + List.of(args));
        }
        Recipe r = Recipe.load(Path.of(args[0]));
        Path outDir = Path.of(r.trainingArgs().outputDir());
        Path modelDir = r.model().orElseGet(() -> EmbeddedModel.extract(outDir.resolve("base")));
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(modelDir);
        Dataset data = r.dataset().map(Tune4jCli::readDataset).orElseGet(() -> Dataset.fromList(EmbeddedModel.alpacaRows()));
        CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        CausalLM trained = model;
        if (r.lora().isPresent()) {
            PeftModel peft = PeftModel.getPeftModel(model, r.lora().get());
            out.println(peft.trainableParametersLine());
            trained = peft;
        } else {
            model.module().requiresGrad(true);
        }
        SFTConfig sft = SFTConfig.builder(r.trainingArgs()).maxLength(r.maxLength()).packing(r.packing()).build();
        SFTTrainer trainer = new SFTTrainer(trained, sft, data, null, tok);
        trainer.addCallback(new ProgressCallback("train", out));
        trainer.train();
        Path finalDir = outDir.resolve("final");
        if (trained instanceof PeftModel peft) {
            peft.savePretrained(finalDir);
        } else {
            trained.savePretrained(finalDir);
            tok.savePretrained(finalDir);
        }
        List<Map<String, Object>> logs = trainer.state().logHistory;
        logs.stream().filter(m -> m.containsKey("loss")).reduce((a, b) -> b)
                .ifPresent(m -> out.println("last logged loss " + m.get("loss") + " at step " + m.get("step")));
        out.println("saved to " + finalDir);
        trained.close();
        return 0;
    }

    static Dataset readDataset(Path p) {
        String name = p.getFileName().toString();
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("dataset file " + p + " does not exist");
        }
        return name.endsWith(".jsonl") ? Dataset.fromJsonl(p) : Dataset.fromJson(p);
    }

    static int chat(String[] args, InputStream in, PrintStream out) {
        Path modelDir = null;
        Path adapter = null;
        int maxNew = 64;
        String system = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--adapter" -> adapter = Path.of(need(args, ++i, "--adapter"));
                case "--max-new-tokens" -> maxNew = Integer.parseInt(need(args, ++i, "--max-new-tokens"));
                case "--system" -> system = need(args, ++i, "--system");
                default -> modelDir = Path.of(args[i]);
            }
        }
        if (modelDir == null) {
            modelDir = EmbeddedModel.extract(Path.of("target", "tune4j-chat", "base"));
        }
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(modelDir);
        CausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        if (adapter != null) {
            model = PeftModel.fromPretrained(model, adapter);
        }
        List<Integer> stops = new ArrayList<>();
        tok.eosTokenId().ifPresent(stops::add);
        Integer endOfTurn = tok.tokenToId("<|im_end|>");
        if (endOfTurn != null) {
            stops.add(endOfTurn);
        }
        GenerationConfig config = model.generationConfig().toBuilder().maxNewTokens(maxNew).doSample(false)
                .eosTokenIds(stops).build();
        List<Map<String, Object>> history = new ArrayList<>();
        if (system != null) {
            history.add(Map.of("role", "system", "content", system));
        }
        try (CausalLM m = model;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            out.print("> ");
            out.flush();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    out.print("> ");
                    continue;
                }
                history.add(Map.of("role", "user", "content", line));
                String prompt = tok.chatTemplate().isPresent() ? tok.applyChatTemplate(history, true) : line;
                int[] ids = tok.encode(prompt, true).ids();
                StringBuilder reply = new StringBuilder();
                TextStreamer streamer = new TextStreamer(t -> tok.decode(t, true), s -> {
                    reply.append(s);
                    out.print(s);
                    out.flush();
                });
                m.generate(new int[][] {ids}, null, config, streamer);
                out.println();
                history.add(Map.of("role", "assistant", "content", reply.toString().trim()));
                out.print("> ");
                out.flush();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.println();
        return 0;
    }

    /** Starts the OpenAI-compatible server ({@link OpenAiServer#launch}); the caller closes it. */
    static OpenAiServer serve(String[] args, PrintStream out) {
        OpenAiServer front = OpenAiServer.launch(args);
        out.println("serving on http://127.0.0.1:" + front.port() + "/v1 (OpenAI-compatible; stop with Ctrl-C)");
        return front;
    }

    static int merge(String[] args, PrintStream out) {
        Path base = null;
        Path outDir = null;
        String combination = "cat";
        List<AdapterMerger.WeightedAdapter> adapters = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base" -> base = Path.of(need(args, ++i, "--base"));
                case "--adapter" -> adapters.add(AdapterMerger.WeightedAdapter.parse(need(args, ++i, "--adapter")));
                case "--combination" -> combination = need(args, ++i, "--combination");
                case "--out" -> outDir = Path.of(need(args, ++i, "--out"));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (base == null || outDir == null || adapters.isEmpty()) {
            throw new IllegalArgumentException("merge needs --base DIR, at least one --adapter DIR[:WEIGHT] and --out DIR");
        }
        AdapterMerger.mergeToDir(base, adapters, combination, outDir);
        out.println("merged " + adapters.size() + " adapter(s) into " + base + " -> " + outDir);
        return 0;
    }

    static int quantize(String[] args, PrintStream out, PrintStream err) {
        if (!QuantizedLoading.available(Llama2QloraRecipe.bnbConfig())) {
            err.println("tune4j quantize: 4-bit loading is not part of this build yet");
            return 3;
        }
        Path modelDir = null;
        Path outDir = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out")) {
                outDir = Path.of(need(args, ++i, "--out"));
            } else {
                modelDir = Path.of(args[i]);
            }
        }
        if (modelDir == null || outDir == null) {
            throw new IllegalArgumentException("quantize needs MODEL_DIR and --out DIR");
        }
        try (CausalLM q = QuantizedLoading.load(modelDir, Llama2QloraRecipe.bnbConfig()).model()) {
            q.savePretrained(outDir);
        }
        AutoTokenizer.fromPretrained(modelDir).savePretrained(outDir);
        out.println("saved a 4-bit NF4 copy to " + outDir);
        return 0;
    }

    /** peft folder to {@code .onnx_adapter} (scaling folded into lora_B), for a model compiled with LoRA slots. */
    static int exportOnnxAdapter(String[] args, PrintStream out) {
        Path adapterDir = null;
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out")) {
                file = Path.of(need(args, ++i, "--out"));
            } else if (adapterDir == null && !args[i].startsWith("-")) {
                adapterDir = Path.of(args[i]);
            } else {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (adapterDir == null || file == null) {
            throw new IllegalArgumentException("export-onnx-adapter needs ADAPTER_DIR and --out FILE"
                    + OnnxAdapterFile.EXTENSION);
        }
        OnnxAdapterFile adapter = OnnxAdapters.fromPeft(adapterDir);
        adapter.save(file);
        out.println("wrote " + adapter.parameters().size() + " tensors of " + adapterDir + " to " + file
                + " (load it with LoadOptions.loraTargetModules(...) and MultiLoraCausalLM.loadAdapter)");
        return 0;
    }

    private static String need(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
