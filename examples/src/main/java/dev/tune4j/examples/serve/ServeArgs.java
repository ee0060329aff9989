package dev.tune4j.examples.serve;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The command line of {@link OpenAiServer}, with vLLM's flag names. */
record ServeArgs(Path model, Path tokenizer, Map<String, Path> loraModules, String servedModelName, String host,
        int port, int maxLoras, int maxLoraRank, int maxNumSeqs, int maxQueuedRequests) {

    static final String USAGE = "usage: OpenAiServer --model DIR [--tokenizer DIR] [--lora-modules name=path ...]"
            + " [--served-model-name NAME] [--host 127.0.0.1] [--port 8000] [--max-loras 4] [--max-lora-rank 16]"
            + " [--max-num-seqs 256] [--max-queued-requests 1024]";

    static ServeArgs parse(String... args) {
        Path model = null;
        Path tokenizer = null;
        Map<String, Path> loras = new LinkedHashMap<>();
        String name = null;
        String host = "127.0.0.1";
        int port = 8000;
        int maxLoras = 4;
        int maxLoraRank = 16;
        int maxNumSeqs = 256;
        int maxQueued = 1024;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--lora-modules" -> {
                    // vLLM: --lora-modules a=path b=path (values until the next flag)
                    while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        String spec = args[++i];
                        int eq = spec.indexOf('=');
                        if (eq <= 0 || eq == spec.length() - 1) {
                            throw new IllegalArgumentException("--lora-modules expects name=path, found '" + spec + "'");
                        }
                        loras.put(spec.substring(0, eq), Path.of(spec.substring(eq + 1)));
                    }
                }
                case "--model" -> model = Path.of(value(args, ++i, flag));
                case "--tokenizer" -> tokenizer = Path.of(value(args, ++i, flag));
                case "--served-model-name" -> name = value(args, ++i, flag);
                case "--host" -> host = value(args, ++i, flag);
                case "--port" -> port = intValue(args, ++i, flag);
                case "--max-loras" -> maxLoras = intValue(args, ++i, flag);
                case "--max-lora-rank" -> maxLoraRank = intValue(args, ++i, flag);
                case "--max-num-seqs" -> maxNumSeqs = intValue(args, ++i, flag);
                case "--max-queued-requests" -> maxQueued = intValue(args, ++i, flag);
                default -> throw new IllegalArgumentException("unknown flag '" + flag + "'");
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("--model DIR is required");
        }
        if (name == null) {
            name = model.getFileName() == null ? model.toString() : model.getFileName().toString();
        }
        return new ServeArgs(model, tokenizer, loras, name, host, port, maxLoras, maxLoraRank, maxNumSeqs, maxQueued);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static int intValue(String[] args, int i, String flag) {
        String v = value(args, i, flag);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " expects an integer, found '" + v + "'");
        }
    }
}
