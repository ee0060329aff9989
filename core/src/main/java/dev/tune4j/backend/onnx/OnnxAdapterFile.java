package dev.tune4j.backend.onnx;

import dev.tune4j.io.AtomicFiles;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ONNX Runtime's LoRA adapter file ({@code .onnx_adapter}): named float32 tensors that override
 * the graph inputs of the same names while the adapter is active
 * ({@code RunOptions.add_active_adapter} in ORT's Python API). For a model compiled with LoRA slots
 * the names are {@code <module>.lora_A.weight} [r, in] and {@code <module>.lora_B.weight} [out, r],
 * the peft state-dict names without the {@code base_model.model.} prefix, with peft's scaling
 * already folded into B.
 *
 * <pre>{@code
 * // onnxruntime: ort.AdapterFormat.read_adapter(path) / AdapterFormat().export_adapter(path)
 * OnnxAdapterFile adapter = OnnxAdapterFile.read(Path.of("sql.onnx_adapter"));
 * adapter.save(Path.of("copy.onnx_adapter"));
 * }</pre>
 *
 * <p>Writing needs {@code com.google.flatbuffers:flatbuffers-java} on the class path; reading does not.
 *
 * @param adapterVersion the file's {@code adapter_version} (free for the user)
 * @param modelVersion the file's {@code model_version} (free for the user)
 * @param parameters the tensors by name, in file order
 */
public record OnnxAdapterFile(int adapterVersion, int modelVersion, Map<String, Tensor> parameters) {
    /** The file extension ORT's tools use. */
    public static final String EXTENSION = ".onnx_adapter";
    /** The {@code format_version} ONNX Runtime 1.20 to 1.23 read (and the only one they accept). */
    public static final int FORMAT_VERSION = 1;

    public OnnxAdapterFile {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        for (var e : parameters.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("an adapter parameter needs a name");
            }
            Tensor t = e.getValue();
            if (t.dtype() != DType.F32 && t.dtype() != DType.F16 && t.dtype() != DType.BF16) {
                throw new IllegalArgumentException("adapter parameter " + e.getKey() + " is " + t.dtype()
                        + "; LoRA weights are floating point");
            }
            copy.put(e.getKey(), t);
        }
        parameters = Collections.unmodifiableMap(copy);
    }

    /** An adapter with versions 0. */
    public static OnnxAdapterFile of(Map<String, Tensor> parameters) {
        return new OnnxAdapterFile(0, 0, parameters);
    }

    /** The file's bytes (float32 data); fits in one Java array, so the whole adapter must stay under 2 GB. */
    public byte[] toBytes() {
        if (!OnnxRuntimeBackend.present(OnnxAdapterWriter.FLATBUFFERS_CLASS, OnnxAdapterFile.class.getClassLoader())) {
            throw new IllegalStateException("writing " + EXTENSION + " files needs com.google.flatbuffers:flatbuffers-java"
                    + " on the class path");
        }
        return OnnxAdapterWriter.write(this);
    }

    /** Writes the file atomically (a temporary sibling, then a rename). */
    public void save(Path file) {
        byte[] bytes = toBytes();
        AtomicFiles.write(file, channel -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        });
    }

    /**
     * Reads an adapter file, checking every offset against the file's size.
     *
     * @throws IllegalArgumentException naming the file and what is wrong, for anything that is not a
     *     well-formed version-1 adapter of float32 tensors
     */
    public static OnnxAdapterFile read(Path file) {
        return fromBytes(readBytes(file), file.toString());
    }

    static byte[] readBytes(Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a folder, not an " + EXTENSION + " file"
                    + (Files.isRegularFile(file.resolve("adapter_config.json"))
                            ? " (a peft adapter: load it with dev.tune4j.lora.OnnxAdapters.loadPeftAdapter)" : ""));
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** {@link #read} over bytes in memory; {@code source} names them in errors. */
    public static OnnxAdapterFile fromBytes(byte[] bytes, String source) {
        return OnnxAdapterReader.read(bytes, source);
    }
}
