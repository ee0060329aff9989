package dev.tune4j.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of valid files: every mutant either opens and reads all its tensors fully, or
 * is rejected with a {@link SafetensorsException}. Anything else (an index out of bounds, a
 * Jackson or IllegalArgument exception leaking, an allocation sized by a lying header) fails.
 * The timeout only guards against a hang.
 */
@Timeout(120)
class SafetensorsFuzzTest {
    private static final Pattern NUMBER_ARRAY = Pattern.compile("\\[[0-9,]*\\]");
    private static final Pattern DTYPE_VALUE = Pattern.compile("\"[A-Z0-9_]+\"(?=,\"shape\")");
    private static final String[] JSON_VALUES = {
        "0", "1", "-1", "7", "8", "4096", "2147483647", "2147483648", "4294967296", "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "18446744073709551616", "1e3", "1.5", "-0", "null", "true",
        "\"F32\"", "\"I64\"", "\"f32\"", "\"U64\"", "\"BOOL\"", "\"X\"", "\"\"", "[]", "[0]", "[0,0]", "[1,0]",
        "[0,8,16]", "[-1,2]", "[[1]]", "{}", "{\"a\":1}", "[2147483647,2147483647,2147483647]", "[0,9223372036854775807]",
        "[9223372036854775807,0]", "[1e2,2]", "\"\\u0000\"", "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]"
    };

    @TempDir
    Path tmp;

    /** A small file with every dtype, written by the writer (validated elsewhere against golden files). */
    private static byte[] allDtypesFile() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int i = 0;
        for (DType d : DType.values()) {
            byte[] b = new byte[3 * d.byteSize()];
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) (j * 37 + i);
            }
            tensors.put("t." + d.name().toLowerCase(), Tensor.wrap(MemorySegment.ofArray(b), d, 3));
            i++;
        }
        tensors.put("scalar", Tensor.of(new float[] {1.25f}));
        tensors.put("empty", Tensor.of(new float[0], 0, 4));
        return SafetensorsWriter.serialize(tensors, Map.of("format", "pt", "note", "fuzz"));
    }

    @Test
    void mutantsOfASmallFileWithEveryDtype() throws Exception {
        fuzz(allDtypesFile(), 3000, 11L, 200);
    }

    @Test
    void mutantsOfTheGoldenLlamaModel() throws Exception {
        fuzz(Files.readAllBytes(SharedData.require("golden/llama_tiny/model.safetensors")), 1500, 23L, 60);
    }

    private void fuzz(byte[] original, int count, long seed, int onDisk) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.fromSegment(MemorySegment.ofArray(original), "original")) {
            readAll(f); // the unmutated file must be valid
        }
        Random rnd = new Random(seed);
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < count; i++) {
            int kind = rnd.nextInt(8);
            byte[] mutant = mutate(original, kind, rnd);
            String label = "mutant " + i + " (seed " + seed + ", kind " + kind + ")";
            boolean viaDisk = i < onDisk;
            try {
                if (viaDisk) {
                    Path p = tmp.resolve("m.safetensors");
                    Files.write(p, mutant);
                    try (SafetensorsFile f = SafetensorsFile.open(p)) {
                        readAll(f);
                    }
                } else {
                    try (SafetensorsFile f = SafetensorsFile.fromSegment(MemorySegment.ofArray(mutant), label)) {
                        readAll(f);
                    }
                }
                accepted++;
            } catch (SafetensorsException e) {
                rejected++;
            } catch (Throwable t) {
                throw new AssertionError(label + " raised " + t + " instead of SafetensorsException", t);
            }
        }
        // Both outcomes must occur, or the mutations test nothing.
        assertTrue(accepted > count / 50 && rejected > count / 2, "accepted " + accepted + ", rejected " + rejected);
    }

    private static void readAll(SafetensorsFile f) {
        f.metadata();
        for (String k : f.keys()) {
            Tensor t = f.tensor(k);
            long n = t.numel();
            if (n > 4096) {
                // Large tensors: every byte in one bulk read, and the elements at both ends decoded.
                t.segment().toArray(ValueLayout.JAVA_BYTE);
                t.getFloat(0);
                t.getLong(n - 1);
                continue;
            }
            for (long i = 0; i < n; i++) {
                t.getFloat(i);
                t.getLong(i);
            }
        }
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private static byte[] withLength(byte[] file, long n) {
        byte[] out = file.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
        return out;
    }

    private static byte[] mutate(byte[] original, int kind, Random rnd) {
        int n = (int) headerLength(original);
        switch (kind) {
            case 0 -> { // flip bytes in the header
                byte[] out = original.clone();
                int flips = 1 + rnd.nextInt(4);
                for (int j = 0; j < flips; j++) {
                    out[8 + rnd.nextInt(n)] = (byte) rnd.nextInt(256);
                }
                return out;
            }
            case 1 -> { // a lying length prefix
                long[] choices = {n + 1, n - 1, n + 8, n - 8, 0, 1, original.length, original.length - 8,
                    original.length - 7, 100_000_001L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, rnd.nextLong(),
                    rnd.nextInt(original.length + 16)};
                return withLength(original, choices[rnd.nextInt(choices.length)]);
            }
            case 2 -> { // truncate anywhere
                return Arrays.copyOf(original, rnd.nextInt(original.length));
            }
            case 3, 4 -> { // splice a JSON value into offsets, shape or dtype, fixing up the length
                String header = new String(original, 8, n, StandardCharsets.UTF_8);
                Pattern target = rnd.nextInt(3) == 0 ? DTYPE_VALUE : NUMBER_ARRAY;
                Matcher m = target.matcher(header);
                List<int[]> spans = new java.util.ArrayList<>();
                while (m.find()) {
                    spans.add(new int[] {m.start(), m.end()});
                }
                int[] span = spans.get(rnd.nextInt(spans.size()));
                String value = JSON_VALUES[rnd.nextInt(JSON_VALUES.length)];
                String spliced = header.substring(0, span[0]) + value + header.substring(span[1]);
                byte[] h = spliced.getBytes(StandardCharsets.UTF_8);
                byte[] data = Arrays.copyOfRange(original, 8 + n, original.length);
                return RawFiles.file(kind == 3 ? h.length : n, h, data);
            }
            case 5 -> { // flip bytes in the data: must still open and read
                if (original.length == 8 + n) {
                    return original.clone();
                }
                byte[] out = original.clone();
                for (int j = 0; j < 8; j++) {
                    out[8 + n + rnd.nextInt(original.length - 8 - n)] = (byte) rnd.nextInt(256);
                }
                return out;
            }
            case 6 -> { // append garbage
                byte[] extra = new byte[1 + rnd.nextInt(64)];
                rnd.nextBytes(extra);
                return RawFiles.concat(original, extra);
            }
            default -> { // insert or delete a few bytes inside the header, keeping or fixing the length
                int at = 8 + rnd.nextInt(n);
                byte[] out;
                if (rnd.nextBoolean()) {
                    byte[] extra = new byte[1 + rnd.nextInt(8)];
                    rnd.nextBytes(extra);
                    out = RawFiles.concat(Arrays.copyOf(original, at), extra, Arrays.copyOfRange(original, at, original.length));
                    return rnd.nextBoolean() ? withLength(out, n + extra.length) : out;
                }
                int cut = Math.min(1 + rnd.nextInt(8), 8 + n - at);
                out = RawFiles.concat(Arrays.copyOf(original, at), Arrays.copyOfRange(original, at + cut, original.length));
                return rnd.nextBoolean() ? withLength(out, n - cut) : out;
            }
        }
    }
}
