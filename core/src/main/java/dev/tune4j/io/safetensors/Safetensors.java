package dev.tune4j.io.safetensors;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shortcuts named after {@code safetensors.torch}: {@code load_file} and {@code save_file}.
 *
 * <pre>{@code
 * Map<String, Tensor> state = Safetensors.load(Path.of("adapter_model.safetensors"));
 * Safetensors.save(Path.of("copy.safetensors"), state, Map.of("format", "pt"));
 * }</pre>
 */
public final class Safetensors {
    private Safetensors() {}

    /**
     * Reads every tensor into the heap ({@code load_file}): F32 as {@code float[]}, other dtypes
     * as little-endian bytes. The result does not depend on the file staying open; keys are in
     * {@code keys()} order. For large checkpoints prefer {@link SafetensorsFile}, which maps
     * instead of copying.
     *
     * @throws SafetensorsException if the file is invalid or a tensor exceeds 2 GB
     */
    public static Map<String, Tensor> load(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String key : f.keys()) {
                out.put(key, copyToHeap(f.tensor(key), f.info(key), file));
            }
            return out;
        }
    }

    /** Writes {@code tensors} with no metadata ({@code save_file(tensors, path)}). */
    public static void save(Path file, Map<String, Tensor> tensors) {
        SafetensorsWriter.write(file, tensors, null);
    }

    /** Writes {@code tensors} with {@code metadata} ({@code save_file(tensors, path, metadata)}). */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        SafetensorsWriter.write(file, tensors, metadata);
    }

    private static Tensor copyToHeap(Tensor mapped, TensorInfo info, Path file) {
        if (info.byteSize() > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(file + ": tensor '" + info.name() + "' has " + info.byteSize()
                    + " bytes, too many for a heap copy; use SafetensorsFile to map it");
        }
        if (info.dtype() == DType.F32) {
            return Tensor.of(mapped.toFloatArray(), info.shape());
        }
        byte[] bytes = mapped.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        return Tensor.wrap(MemorySegment.ofArray(bytes), info.dtype(), info.shape());
    }
}
