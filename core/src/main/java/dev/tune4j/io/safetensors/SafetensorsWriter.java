package dev.tune4j.io.safetensors;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes safetensors files byte-identical to the Python library, and sharded checkpoints laid out
 * as transformers lays them out.
 *
 * <pre>{@code
 * // Python: safetensors.torch.save_file(tensors, "model.safetensors", metadata={"format": "pt"})
 * SafetensorsWriter.write(Path.of("model.safetensors"), tensors, Map.of("format", "pt"));
 * // Python: model.save_pretrained(dir, max_shard_size="2GB")   (the weights part)
 * SafetensorsWriter.writeSharded(dir, stateDict, Map.of("format", "pt"), SafetensorsWriter.parseShardSize("2GB"));
 * }</pre>
 *
 * <p>The layout is the one of the Rust serializer (safetensors 0.4.5): tensors ordered by
 * descending dtype (the crate's enum order, which is increasing alignment: U64, I64, F64, F32,
 * U32, I32, BF16, F16, U16, I16, F8_E4M3, F8_E5M2, I8, U8, BOOL), then by name; a compact JSON
 * header with {@code __metadata__} first and each entry as
 * {@code {"dtype":..,"shape":[..],"data_offsets":[begin,end]}}; the header right-padded with
 * spaces to a multiple of 8 bytes. Metadata entries keep the iteration order of the map given
 * (the crate writes a {@code HashMap}, so files with more than one metadata key have no fixed
 * order there). Data is streamed in chunks through a {@link java.nio.channels.FileChannel}, so
 * files and tensors larger than 2 GB work. Every file is written to a temporary sibling and
 * renamed into place.
 */
public final class SafetensorsWriter {
    /** transformers' default {@code max_shard_size="5GB"}, in bytes. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    /** transformers' single-file weights name. */
    public static final String SINGLE_FILE_NAME = "model.safetensors";

    /** transformers' index name for sharded weights. */
    public static final String INDEX_FILE_NAME = "model.safetensors.index.json";

    private static final int CHUNK_BYTES = 8 << 20;

    /** Native tensors at least this large are written straight from their segment. */
    private static final long DIRECT_WRITE_BYTES = 1 << 20;

    private SafetensorsWriter() {}

    /**
     * Writes {@code tensors} to {@code file} atomically ({@code safetensors.torch.save_file}).
     *
     * @param tensors  name to tensor; any dtype, heap F32 or segment storage
     * @param metadata the header's {@code __metadata__} (transformers and peft write
     *                 {@code {"format": "pt"}}); null writes no {@code __metadata__} key at all
     * @throws SafetensorsException if a name or tensor is invalid or the file cannot be written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Layout layout = layout(tensors, metadata, file.toString());
        try {
            dev.tune4j.io.AtomicFiles.write(file, channel -> layout.writeTo(channel));
        } catch (java.io.UncheckedIOException e) {
            throw new SafetensorsException(e.getMessage(), e.getCause());
        }
    }

    /**
     * The bytes of a safetensors file holding {@code tensors} ({@code safetensors.torch.save});
     * for files under 2 GB.
     */
    public static byte[] serialize(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Layout layout = layout(tensors, metadata, "in-memory safetensors");
        long total = layout.fileSize();
        if (total > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException("in-memory safetensors: " + total + " bytes do not fit in a byte[]; write a file");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total);
        try {
            layout.writeTo(new WritableByteChannel() {
                @Override
                public int write(ByteBuffer src) {
                    int n = src.remaining();
                    out.put(src);
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {}
            });
        } catch (IOException e) {
            throw new SafetensorsException("in-memory safetensors: " + e, e);
        }
        return out.array();
    }

    /**
     * Writes {@code tensors} into {@code dir} as transformers' {@code save_pretrained} writes
     * weights: one {@code model.safetensors} when everything fits in one shard, otherwise
     * {@code model-00001-of-0000N.safetensors} shards plus {@code model.safetensors.index.json}.
     *
     * <p>Shards are filled in the iteration order of {@code tensors} (pass a
     * {@link java.util.LinkedHashMap} in module order to get the shards transformers would
     * produce): a tensor starts a new shard when it would push the current one over
     * {@code maxShardBytes}, and a tensor larger than {@code maxShardBytes} gets a shard of its
     * own. The index is {@code {"metadata": {"total_size": N}, "weight_map": {...}}} written as
     * {@code json.dumps(index, indent=2, sort_keys=True) + "\n"}, with N the sum of the tensors'
     * byte sizes. Afterwards, shard files of an earlier save that were not overwritten are
     * deleted (transformers' rule: names starting with {@code model} that match
     * {@code *-NNNNN-of-NNNNN} once {@code .safetensors}/{@code .bin} are removed). Unlike
     * transformers, the stale counterpart of the new layout is removed too (an old
     * {@code model.safetensors} after a sharded save, an old index after a single-file save),
     * because loaders prefer {@code model.safetensors} and would otherwise read old weights.
     *
     * @param metadata       {@code __metadata__} of every file (transformers: {"format": "pt"})
     * @param maxShardBytes  the most bytes of tensor data per shard (see {@link #parseShardSize})
     * @return the files written, shards first, then the index if any
     */
    public static List<Path> writeSharded(Path dir, Map<String, Tensor> tensors, Map<String, String> metadata,
                                          long maxShardBytes) {
        return ShardedSave.save(dir, tensors, metadata, maxShardBytes);
    }

    /** {@link #writeSharded(Path, Map, Map, long)} with a size such as {@code "5GB"}. */
    public static List<Path> writeSharded(Path dir, Map<String, Tensor> tensors, Map<String, String> metadata,
                                          String maxShardSize) {
        return ShardedSave.save(dir, tensors, metadata, parseShardSize(maxShardSize));
    }

    /**
     * Parses a shard size the way huggingface_hub does ({@code parse_size_to_int}): a number
     * followed by {@code KB}, {@code MB}, {@code GB} or {@code TB}, decimal units
     * ({@code "5GB"} is 5,000,000,000), fractions allowed ({@code "1.5GB"}).
     *
     * @throws IllegalArgumentException for another unit or an unparsable number
     */
    public static long parseShardSize(String size) {
        String s = size.strip();
        if (s.length() < 2) {
            throw new IllegalArgumentException("size '" + size + "' needs a unit: KB, MB, GB or TB");
        }
        String unit = s.substring(s.length() - 2).toUpperCase(Locale.ROOT);
        long multiplier = switch (unit) {
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "TB" -> 1_000_000_000_000L;
            default -> throw new IllegalArgumentException("unit '" + unit + "' of size '" + size
                    + "' is not supported; use KB, MB, GB or TB");
        };
        double value;
        try {
            value = Double.parseDouble(s.substring(0, s.length() - 2).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cannot parse the number in size '" + size + "'", e);
        }
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("size '" + size + "' must be a finite non-negative number");
        }
        return (long) (value * multiplier);
    }

    /** The crate's {@code Dtype} enum position: the serializer sorts by it, descending. */
    static int serializationRank(DType dtype) {
        return switch (dtype) {
            case BOOL -> 0;
            case U8 -> 1;
            case I8 -> 2;
            case F8_E5M2 -> 3;
            case F8_E4M3 -> 4;
            case I16 -> 5;
            case U16 -> 6;
            case F16 -> 7;
            case BF16 -> 8;
            case I32 -> 9;
            case U32 -> 10;
            case F32 -> 11;
            case F64 -> 12;
            case I64 -> 13;
            case U64 -> 14;
        };
    }

    static long byteSize(Tensor t, String name, String target) {
        try {
            return Math.multiplyExact(t.numel(), (long) t.dtype().byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(target + ": tensor '" + name + "' is too large to address");
        }
    }

    static Layout layout(Map<String, Tensor> tensors, Map<String, String> metadata, String target) {
        Objects.requireNonNull(tensors, "tensors");
        List<Entry> entries = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null) {
                throw new SafetensorsException(target + ": a tensor name is null");
            }
            if (name.equals(HeaderParser.METADATA_KEY)) {
                throw new SafetensorsException(target + ": '" + name + "' is reserved for metadata and cannot name a tensor");
            }
            if (!JsonText.isWellFormed(name)) {
                throw new SafetensorsException(target + ": tensor name '" + name + "' has an unpaired surrogate (no UTF-8 form)");
            }
            if (e.getValue() == null) {
                throw new SafetensorsException(target + ": tensor '" + name + "' is null");
            }
            entries.add(new Entry(name, e.getValue(), byteSize(e.getValue(), name, target)));
        }
        entries.sort(Comparator.<Entry>comparingInt(en -> -serializationRank(en.tensor.dtype()))
                .thenComparing(en -> en.name, CodePointOrder.INSTANCE));

        StringBuilder json = new StringBuilder(64 + 96 * entries.size());
        json.append('{');
        boolean first = true;
        if (metadata != null) {
            json.append('"').append(HeaderParser.METADATA_KEY).append("\":{");
            boolean firstMeta = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (m.getKey() == null || m.getValue() == null) {
                    throw new SafetensorsException(target + ": metadata keys and values must not be null, found "
                            + m.getKey() + "=" + m.getValue());
                }
                if (!JsonText.isWellFormed(m.getKey()) || !JsonText.isWellFormed(m.getValue())) {
                    throw new SafetensorsException(target + ": metadata entry '" + m.getKey()
                            + "' has an unpaired surrogate (no UTF-8 form)");
                }
                if (!firstMeta) {
                    json.append(',');
                }
                JsonText.appendSerde(json, m.getKey());
                json.append(':');
                JsonText.appendSerde(json, m.getValue());
                firstMeta = false;
            }
            json.append('}');
            first = false;
        }
        long offset = 0;
        for (Entry en : entries) {
            if (!first) {
                json.append(',');
            }
            first = false;
            JsonText.appendSerde(json, en.name);
            json.append(":{\"dtype\":\"").append(en.tensor.dtype().safetensorsName()).append("\",\"shape\":[");
            int[] shape = en.tensor.shape();
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) {
                    json.append(',');
                }
                json.append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + en.bytes).append("]}");
            offset += en.bytes;
        }
        json.append('}');
        byte[] raw = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(raw, padded);
        Arrays.fill(header, raw.length, padded, (byte) ' ');
        return new Layout(target, header, entries, offset);
    }

    record Entry(String name, Tensor tensor, long bytes) {}

    /** A serialized header and the tensors to stream after it. */
    record Layout(String target, byte[] header, List<Entry> entries, long dataLength) {
        long fileSize() {
            return 8L + header.length + dataLength;
        }

        void writeTo(WritableByteChannel channel) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            MemorySegment chunk = MemorySegment.ofBuffer(buffer);
            chunk.set(Tensor.LE_LONG, 0, header.length);
            int used = 8;
            int at = 0;
            while (at < header.length) {
                int n = Math.min(CHUNK_BYTES - used, header.length - at);
                MemorySegment.copy(header, at, chunk, ValueLayout.JAVA_BYTE, used, n);
                used += n;
                at += n;
                if (used == CHUNK_BYTES) {
                    flush(buffer, used, channel);
                    used = 0;
                }
            }
            for (Entry en : entries) {
                used = copy(en, chunk, used, buffer, channel);
            }
            flush(buffer, used, channel);
        }

        /** Appends one tensor's little-endian bytes, flushing full chunks; returns the bytes pending. */
        private int copy(Entry en, MemorySegment chunk, int used, ByteBuffer buffer, WritableByteChannel channel)
                throws IOException {
            Tensor t = en.tensor;
            boolean heapF32 = t.isHeapF32();
            MemorySegment src = t.segment();
            int elementSize = t.dtype().byteSize();
            long done = 0;
            try {
                if (!heapF32 && src.isNative() && en.bytes >= DIRECT_WRITE_BYTES) {
                    // Mapped or off-heap bytes go to the channel as they are, without the copy.
                    flush(buffer, used, channel);
                    while (done < en.bytes) {
                        ByteBuffer view = src.asSlice(done, Math.min(CHUNK_BYTES, en.bytes - done)).asByteBuffer();
                        while (view.hasRemaining()) {
                            channel.write(view);
                        }
                        done += CHUNK_BYTES;
                    }
                    return 0;
                }
                while (done < en.bytes) {
                    if (CHUNK_BYTES - used < elementSize) {
                        flush(buffer, used, channel);
                        used = 0;
                    }
                    long n = Math.min(en.bytes - done, (CHUNK_BYTES - used) / elementSize * (long) elementSize);
                    if (heapF32) {
                        // float[] views are in native order; the file is little-endian.
                        MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, done, chunk, Tensor.LE_FLOAT, used, n / 4);
                    } else {
                        MemorySegment.copy(src, done, chunk, used, n);
                    }
                    used += (int) n;
                    done += n;
                }
            } catch (IllegalStateException e) {
                throw new SafetensorsException(target + ": cannot read tensor '" + en.name
                        + "': its storage is no longer accessible (was the file it came from closed?)", e);
            }
            return used;
        }

        /** Writes the first {@code length} bytes of the chunk buffer. */
        private static void flush(ByteBuffer buffer, int length, WritableByteChannel channel) throws IOException {
            buffer.clear().limit(length);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }
    }
}
