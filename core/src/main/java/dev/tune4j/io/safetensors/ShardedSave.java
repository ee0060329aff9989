package dev.tune4j.io.safetensors;

import dev.tune4j.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The weights part of transformers' {@code save_pretrained}: sharding as huggingface_hub's
 * {@code split_state_dict_into_shards_factory} (0.25) does it, the index as transformers 4.45
 * writes it, and its clean-up of shards left by an earlier save.
 */
final class ShardedSave {
    private static final Logger LOG = LoggerFactory.getLogger(ShardedSave.class);

    /** transformers' test for "a shard file name": Python's {@code \d} matches any Unicode digit. */
    private static final Pattern SHARD_NAME = Pattern.compile("(.*?)-\\d{5}-of-\\d{5}", Pattern.UNICODE_CHARACTER_CLASS);

    private ShardedSave() {}

    static List<Path> save(Path dir, Map<String, Tensor> tensors, Map<String, String> metadata, long maxShardBytes) {
        if (maxShardBytes < 0) {
            throw new IllegalArgumentException("maxShardBytes must be >= 0, got " + maxShardBytes);
        }
        List<Map<String, Tensor>> shards = new ArrayList<>();
        Map<String, Tensor> current = new LinkedHashMap<>();
        long currentBytes = 0;
        long totalBytes = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getValue() == null) {
                throw new SafetensorsException(dir + ": tensor '" + e.getKey() + "' is null");
            }
            long bytes = SafetensorsWriter.byteSize(e.getValue(), e.getKey(), dir.toString());
            totalBytes += bytes;
            if (bytes > maxShardBytes) {
                // Too big for any shard: alone in one, placed before the shard being filled.
                Map<String, Tensor> alone = new LinkedHashMap<>();
                alone.put(e.getKey(), e.getValue());
                shards.add(alone);
                continue;
            }
            if (currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            currentBytes += bytes;
        }
        if (!current.isEmpty()) {
            shards.add(current);
        }

        List<Path> written = new ArrayList<>();
        Set<String> names;
        if (shards.size() <= 1) {
            // One shard (or nothing at all): a plain model.safetensors, no index.
            Path file = dir.resolve(SafetensorsWriter.SINGLE_FILE_NAME);
            SafetensorsWriter.write(file, tensors, metadata);
            written.add(file);
            names = Set.of(SafetensorsWriter.SINGLE_FILE_NAME);
        } else {
            Map<String, String> weightMap = new TreeMap<>(CodePointOrder.INSTANCE);
            names = new java.util.HashSet<>();
            for (int i = 0; i < shards.size(); i++) {
                String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                Path file = dir.resolve(name);
                SafetensorsWriter.write(file, shards.get(i), metadata);
                written.add(file);
                names.add(name);
                for (String key : shards.get(i).keySet()) {
                    weightMap.put(key, name);
                }
            }
            Path index = dir.resolve(SafetensorsWriter.INDEX_FILE_NAME);
            try {
                dev.tune4j.io.AtomicFiles.writeString(index, indexJson(totalBytes, weightMap));
            } catch (java.io.UncheckedIOException e) {
                throw new SafetensorsException(e.getMessage(), e.getCause());
            }
            written.add(index);
        }
        removeStale(dir, names, shards.size() > 1);
        LOG.info("Model weights saved in {} ({} file(s), {} bytes of tensors)", dir, names.size(), totalBytes);
        return written;
    }

    /** {@code json.dumps({"metadata": {"total_size": N}, "weight_map": map}, indent=2, sort_keys=True) + "\n"}. */
    static String indexJson(long totalSize, Map<String, String> sortedWeightMap) {
        StringBuilder sb = new StringBuilder(64 + 80 * sortedWeightMap.size());
        sb.append("{\n  \"metadata\": {\n    \"total_size\": ").append(totalSize).append("\n  },\n  \"weight_map\": {");
        boolean first = true;
        for (Map.Entry<String, String> e : sortedWeightMap.entrySet()) {
            sb.append(first ? "\n    " : ",\n    ");
            JsonText.appendPythonAscii(sb, e.getKey());
            sb.append(": ");
            JsonText.appendPythonAscii(sb, e.getValue());
            first = false;
        }
        sb.append(first ? "}" : "\n  }").append("\n}\n");
        return sb.toString();
    }

    private static void removeStale(Path dir, Set<String> keep, boolean sharded) {
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (keep.contains(name) || !Files.isRegularFile(p)) {
                    continue;
                }
                String stem = name.replace(".bin", "").replace(".safetensors", "");
                boolean oldShard = name.startsWith("model") && SHARD_NAME.matcher(stem).matches();
                boolean oldCounterpart = sharded
                        ? name.equals(SafetensorsWriter.SINGLE_FILE_NAME)
                        : name.equals(SafetensorsWriter.INDEX_FILE_NAME);
                if (oldShard || oldCounterpart) {
                    stale.add(p);
                }
            }
        } catch (IOException e) {
            throw new SafetensorsException(dir + ": cannot list the folder to remove stale shards: " + e, e);
        }
        for (Path p : stale) {
            try {
                Files.deleteIfExists(p);
                LOG.debug("Removed {} left by an earlier save", p);
            } catch (IOException e) {
                throw new SafetensorsException(p + ": cannot remove this file left by an earlier save: " + e, e);
            }
        }
    }
}
