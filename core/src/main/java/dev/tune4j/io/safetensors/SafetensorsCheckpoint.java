package dev.tune4j.io.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The weights of a model directory as one name-to-tensor view, whether they sit in a single
 * {@code model.safetensors} or in shards listed by {@code model.safetensors.index.json}.
 *
 * <pre>{@code
 * try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(modelDir)) {
 *     for (String key : ckpt.keys()) {
 *         Tensor w = ckpt.tensor(key);          // memory-mapped view, any shard
 *     }
 * }
 * }</pre>
 *
 * <p>As in transformers' {@code from_pretrained}, {@code model.safetensors} wins when both it and
 * an index are present. Opening checks that every shard the index names exists (and stays inside
 * the directory), that every key of the index is in its shard, and that no key is in two shards.
 * Keys a shard holds but the index does not list are left out, with a warning. Tensors are views
 * of the mapped shards: they are valid until {@link #close()}, which unmaps every shard.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SafetensorsCheckpoint.class);

    /** Largest index file read, a guard against reading an arbitrary huge file into memory. */
    private static final long MAX_INDEX_BYTES = 100_000_000L;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private final Path directory;
    private final Path index;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileOf;
    private final List<String> keys;
    private final OptionalLong totalSize;

    private SafetensorsCheckpoint(Path directory, Path index, List<SafetensorsFile> files,
                                  Map<String, SafetensorsFile> fileOf, OptionalLong totalSize) {
        this.directory = directory;
        this.index = index;
        this.files = List.copyOf(files);
        this.fileOf = fileOf;
        List<String> sorted = new ArrayList<>(fileOf.keySet());
        sorted.sort(CodePointOrder.INSTANCE);
        this.keys = Collections.unmodifiableList(sorted);
        this.totalSize = totalSize;
    }

    /**
     * Opens a model directory, a single {@code .safetensors} file, or an index file.
     *
     * @throws SafetensorsException if the directory holds no safetensors weights, or a file or the
     *     index is invalid or inconsistent; the message names the file and key
     */
    public static SafetensorsCheckpoint open(Path path) {
        if (Files.isDirectory(path)) {
            Path single = path.resolve(SafetensorsWriter.SINGLE_FILE_NAME);
            Path indexFile = path.resolve(SafetensorsWriter.INDEX_FILE_NAME);
            if (Files.isRegularFile(single)) {
                return single(path, single);
            }
            if (Files.isRegularFile(indexFile)) {
                return sharded(path, indexFile);
            }
            throw new SafetensorsException(path + ": no " + SafetensorsWriter.SINGLE_FILE_NAME + " or "
                    + SafetensorsWriter.INDEX_FILE_NAME + " in this directory");
        }
        if (!Files.isRegularFile(path)) {
            throw new SafetensorsException(path + ": no such file or directory");
        }
        Path parent = path.toAbsolutePath().getParent();
        return path.getFileName().toString().endsWith(".index.json") ? sharded(parent, path) : single(parent, path);
    }

    private static SafetensorsCheckpoint single(Path dir, Path file) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> fileOf = new HashMap<>();
        for (String k : f.keys()) {
            fileOf.put(k, f);
        }
        return new SafetensorsCheckpoint(dir, null, List.of(f), fileOf, OptionalLong.empty());
    }

    private static SafetensorsCheckpoint sharded(Path dir, Path indexFile) {
        JsonNode root = readIndex(indexFile);
        JsonNode weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsException(indexFile + ": 'weight_map' must be an object of key to shard file name");
        }
        OptionalLong totalSize = OptionalLong.empty();
        JsonNode meta = root.get("metadata");
        if (meta != null && meta.isObject() && meta.get("total_size") != null && meta.get("total_size").canConvertToLong()) {
            totalSize = OptionalLong.of(meta.get("total_size").longValue());
        }
        Map<String, String> keyToShard = new LinkedHashMap<>();
        Map<String, String> firstKeyOfShard = new TreeMap<>(CodePointOrder.INSTANCE);
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(indexFile + ": weight_map entry '" + e.getKey()
                        + "' must name a shard file, found " + e.getValue());
            }
            String shard = e.getValue().textValue();
            checkShardName(dir, indexFile, e.getKey(), shard);
            keyToShard.put(e.getKey(), shard);
            firstKeyOfShard.putIfAbsent(shard, e.getKey());
        }

        Map<String, SafetensorsFile> opened = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> s : firstKeyOfShard.entrySet()) {
                Path shardPath = dir.resolve(s.getKey());
                if (!Files.isRegularFile(shardPath)) {
                    throw new SafetensorsException(indexFile + ": shard '" + s.getKey() + "' (holding '" + s.getValue()
                            + "' among others) is listed but " + shardPath + " does not exist");
                }
                opened.put(s.getKey(), SafetensorsFile.open(shardPath));
            }
            Map<String, SafetensorsFile> fileOf = new HashMap<>(keyToShard.size() * 2);
            for (Map.Entry<String, String> e : keyToShard.entrySet()) {
                SafetensorsFile f = opened.get(e.getValue());
                if (!f.contains(e.getKey())) {
                    throw new SafetensorsException(indexFile + ": key '" + e.getKey() + "' is mapped to shard '"
                            + e.getValue() + "', which does not contain it (it holds " + f.size() + " tensors)");
                }
                fileOf.put(e.getKey(), f);
            }
            Map<String, String> seenIn = new HashMap<>();
            int unlisted = 0;
            for (Map.Entry<String, SafetensorsFile> s : opened.entrySet()) {
                for (String k : s.getValue().keys()) {
                    String other = seenIn.putIfAbsent(k, s.getKey());
                    if (other != null) {
                        throw new SafetensorsException(indexFile + ": key '" + k + "' is present in two shards, '"
                                + other + "' and '" + s.getKey() + "'");
                    }
                    if (!keyToShard.containsKey(k)) {
                        unlisted++;
                    }
                }
            }
            if (unlisted > 0) {
                LOG.warn("{}: {} tensor(s) in the shards are not listed in the index and are ignored", indexFile, unlisted);
            }
            return new SafetensorsCheckpoint(dir, indexFile, new ArrayList<>(opened.values()), fileOf, totalSize);
        } catch (RuntimeException e) {
            for (SafetensorsFile f : opened.values()) {
                f.close();
            }
            throw e;
        }
    }

    private static JsonNode readIndex(Path indexFile) {
        try {
            long size = Files.size(indexFile);
            if (size > MAX_INDEX_BYTES) {
                throw new SafetensorsException(indexFile + ": index is " + size + " bytes, more than the "
                        + MAX_INDEX_BYTES + " accepted");
            }
            JsonNode root = MAPPER.readTree(Files.readAllBytes(indexFile));
            if (root == null || !root.isObject()) {
                throw new SafetensorsException(indexFile + ": index must be a JSON object with 'weight_map'");
            }
            return root;
        } catch (JacksonException e) {
            throw new SafetensorsException(indexFile + ": index is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SafetensorsException(indexFile + ": cannot read: " + e, e);
        }
    }

    /** Shard names are plain file names in the directory; an index must not reach elsewhere. */
    private static void checkShardName(Path dir, Path indexFile, String key, String shard) {
        boolean plain = !shard.isEmpty() && !shard.equals(".") && !shard.equals("..")
                && shard.indexOf('/') < 0 && shard.indexOf('\\') < 0 && shard.indexOf('\0') < 0;
        if (plain) {
            try {
                plain = dir.resolve(shard).getFileName().toString().equals(shard);
            } catch (java.nio.file.InvalidPathException e) {
                plain = false;
            }
        }
        if (!plain) {
            throw new SafetensorsException(indexFile + ": key '" + key + "' names shard '" + shard
                    + "', which is not a plain file name in " + dir);
        }
    }

    /** The model directory. */
    public Path directory() {
        return directory;
    }

    /** True when the weights come from an index and its shards. */
    public boolean isSharded() {
        return index != null;
    }

    /** The index file, or null for a single file. */
    public Path indexFile() {
        return index;
    }

    /** The open files: the single file, or the shards in name order. */
    public List<SafetensorsFile> files() {
        return files;
    }

    /** The index's {@code metadata.total_size}, when it has one. */
    public OptionalLong totalSize() {
        return totalSize;
    }

    /** Every tensor name, sorted by code point. */
    public List<String> keys() {
        return keys;
    }

    /** True when the checkpoint holds {@code name}. */
    public boolean contains(String name) {
        return fileOf.containsKey(name);
    }

    /**
     * The header's {@code __metadata__} of the single file or of the first shard (transformers
     * writes {@code {"format": "pt"}} in every shard).
     */
    public Map<String, String> metadata() {
        return files.isEmpty() ? Map.of() : files.getFirst().metadata();
    }

    /**
     * The file holding {@code name}.
     *
     * @throws SafetensorsException if there is no such tensor
     */
    public SafetensorsFile fileOf(String name) {
        SafetensorsFile f = fileOf.get(name);
        if (f == null) {
            throw new SafetensorsException((index != null ? index : directory) + ": no tensor named '" + name
                    + "' (the checkpoint holds " + keys.size() + " tensors)");
        }
        return f;
    }

    /** The header entry of {@code name}. */
    public TensorInfo info(String name) {
        return fileOf(name).info(name);
    }

    /** The tensor {@code name}, a view of its mapped shard. */
    public Tensor tensor(String name) {
        return fileOf(name).tensor(name);
    }

    /** Unmaps every file; tensors obtained from this checkpoint are invalid afterwards. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "SafetensorsCheckpoint(" + directory + ", " + files.size() + " file(s), " + keys.size() + " tensors)";
    }
}
