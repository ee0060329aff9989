package dev.tune4j.io.safetensors;

import dev.tune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One safetensors file, memory-mapped and read lazily.
 *
 * <pre>{@code
 * // Python: with safe_open("model.safetensors", framework="pt") as f:
 * //             w = f.get_tensor("lm_head.weight")
 * try (SafetensorsFile f = SafetensorsFile.open(Path.of("model.safetensors"))) {
 *     Tensor w = f.tensor("lm_head.weight");     // a view of the mapping, nothing copied
 *     float[] values = w.toFloatArray();
 * }
 * }</pre>
 *
 * <p>The header is parsed and validated when the file is opened (see
 * {@link SafetensorsException} for what is rejected); tensors are views of the mapped file and
 * cost nothing until their values are read. The mapping belongs to a shared arena, so tensors may
 * be read from any thread. {@link #close()} unmaps the file: every tensor obtained from it becomes
 * invalid, and reading one afterwards throws {@link IllegalStateException}. Copy what must outlive
 * the file ({@link Tensor#toF32()}, or {@link Safetensors#load(Path)}).
 *
 * <p>The file must not be truncated by another process while it is mapped; the operating system
 * reports reads past the new end as a fatal error that no parser can prevent.
 */
public final class SafetensorsFile implements AutoCloseable {
    private final String source;
    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> infos;
    private final List<TensorInfo> dataOrder;
    private final List<String> keys;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafetensorsFile(String source, Path path, Arena arena, MemorySegment file) {
        this.source = source;
        this.path = path;
        this.arena = arena;
        this.file = file;
        HeaderParser.Parsed header = HeaderParser.parse(file, source);
        this.dataStart = 8 + header.headerLength();
        this.metadata = header.metadata();
        Map<String, TensorInfo> byName = new HashMap<>(header.tensors().size() * 2);
        List<String> names = new ArrayList<>(header.tensors().size());
        for (TensorInfo t : header.tensors()) {
            byName.put(t.name(), t);
            names.add(t.name());
        }
        names.sort(CodePointOrder.INSTANCE);
        this.infos = byName;
        this.dataOrder = header.tensors();
        this.keys = Collections.unmodifiableList(names);
    }

    /**
     * Maps and validates {@code path}.
     *
     * @throws SafetensorsException if the file cannot be read or is not a valid safetensors file;
     *     the message names the file and the offending tensor
     */
    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = channel.size();
                if (size < 8) {
                    throw new SafetensorsException(path + ": file is " + size
                            + " bytes long, too short for the 8-byte header length that starts a safetensors file");
                }
                // The mapping outlives the channel; it is released when the arena closes.
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
            return new SafetensorsFile(path.toString(), path, arena, mapped);
        } catch (IOException e) {
            arena.close();
            throw new SafetensorsException(path + ": cannot read: " + e, e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses a whole safetensors file already in memory (for example bytes received over the
     * network): {@code safetensors.torch.load(bytes)}. Tensors view {@code bytes}; nothing is
     * copied, and {@link #close()} releases nothing.
     *
     * @param source how to name the bytes in error messages
     */
    public static SafetensorsFile fromSegment(MemorySegment bytes, String source) {
        return new SafetensorsFile(source, null, null, bytes.asReadOnly());
    }

    /** The file this was opened from, or null for {@link #fromSegment}. */
    public Path path() {
        return path;
    }

    /** The tensor names, sorted by code point as {@code safe_open(...).keys()} sorts them. */
    public List<String> keys() {
        return keys;
    }

    /** Number of tensors. */
    public int size() {
        return keys.size();
    }

    /** True when the file holds a tensor named {@code name}. */
    public boolean contains(String name) {
        return infos.containsKey(name);
    }

    /**
     * The header's {@code __metadata__} in file order ({@code safe_open(...).metadata()}); empty
     * when the file has none.
     */
    public Map<String, String> metadata() {
        return metadata == null ? Map.of() : metadata;
    }

    /**
     * True when the header has a {@code __metadata__} entry. Distinguishes an absent entry from
     * an empty one, which a byte-exact rewrite must preserve.
     */
    public boolean hasMetadata() {
        return metadata != null;
    }

    /** Header entries in data order (ascending offsets). */
    public List<TensorInfo> infos() {
        return dataOrder;
    }

    /**
     * The header entry of {@code name}: dtype, shape and offsets.
     *
     * @throws SafetensorsException if there is no such tensor
     */
    public TensorInfo info(String name) {
        TensorInfo info = infos.get(name);
        if (info == null) {
            throw new SafetensorsException(source + ": no tensor named '" + name + "' (the file holds " + keys.size()
                    + " tensors" + (keys.isEmpty() ? "" : ", e.g. '" + keys.getFirst() + "'") + ")");
        }
        return info;
    }

    /** Absolute file offset of the data section, {@code 8 + N}. */
    public long dataStart() {
        return dataStart;
    }

    /**
     * The tensor {@code name} as a view of the mapped bytes, in its stored dtype
     * ({@code safe_open(...).get_tensor(name)} without the copy).
     *
     * @throws SafetensorsException if there is no such tensor
     * @throws IllegalStateException if the file was closed
     */
    public Tensor tensor(String name) {
        TensorInfo info = info(name);
        if (closed.get()) {
            throw new IllegalStateException(source + " is closed");
        }
        MemorySegment slice = file.asSlice(dataStart + info.begin(), info.byteSize());
        return Tensor.wrap(slice, info.dtype(), info.shape());
    }

    /**
     * Unmaps the file. Tensors obtained from it must not be used afterwards. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && arena != null) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile(" + source + ", " + keys.size() + " tensors)";
    }
}
