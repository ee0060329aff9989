package dev.tune4j.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoraAdapter;
import dev.tune4j.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The {@code .onnx_adapter} flatbuffer: what ONNX Runtime itself accepts, the layout its schema
 * fixes, and a reader that never reads outside a damaged file.
 */
class OnnxAdapterFileTest {
    private static OnnxAdapterFile small() {
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("m.lora_A.weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        p.put("m.lora_B.weight", Tensor.of(new float[] {-1.5f, 0.25f, 7, 8}, 2, 2));
        p.put("empty", Tensor.of(new float[0], 0, 3));
        return new OnnxAdapterFile(5, 9, p);
    }

    @Test
    void onnxRuntimeAcceptsTheWrittenBytes() throws OrtException {
        byte[] bytes = small().toBytes();
        try (OrtLoraAdapter adapter = OrtLoraAdapter.create(bytes)) {
            assertTrue(adapter != null);
        }
        byte[] wrongVersion = OnnxAdapterFile.fromBytes(bytes, "x").toBytes();
        // format_version is the first int of the root table; ORT refuses any other version than 1.
        int root = ByteBuffer.wrap(wrongVersion).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        ByteBuffer bb = ByteBuffer.wrap(wrongVersion).order(ByteOrder.LITTLE_ENDIAN);
        int vtable = root - bb.getInt(root);
        int formatAt = root + bb.getShort(vtable + 4);
        assertEquals(OnnxAdapterFile.FORMAT_VERSION, bb.getInt(formatAt));
        bb.putInt(formatAt, 2);
        assertThrows(OrtException.class, () -> OrtLoraAdapter.create(wrongVersion).close());
        var e = assertThrows(IllegalArgumentException.class, () -> OnnxAdapterFile.fromBytes(wrongVersion, "v2"));
        assertTrue(e.getMessage().contains("format_version is 2"), e.getMessage());
    }

    @Test
    void layoutFollowsTheSchema() {
        byte[] bytes = small().toBytes();
        assertEquals("TORT", new String(bytes, 4, 4, java.nio.charset.StandardCharsets.US_ASCII));
        OnnxAdapterFile back = OnnxAdapterFile.fromBytes(bytes, "mem");
        assertEquals(5, back.adapterVersion());
        assertEquals(9, back.modelVersion());
        assertEquals(small().parameters().keySet(), back.parameters().keySet());
        small().parameters().forEach((k, v) -> {
            assertArrayEquals(v.shape(), back.parameters().get(k).shape(), k);
            assertArrayEquals(v.toFloatArray(), back.parameters().get(k).toFloatArray(), k);
        });
        // raw_data is force_align 8: each tensor's bytes start 8-aligned, as ORT reads them in place.
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float first : new float[] {1, -1.5f}) {
            int at = -1;
            for (int i = 0; i + 4 <= bytes.length; i++) {
                if (bb.getFloat(i) == first) {
                    at = i;
                    break;
                }
            }
            assertTrue(at >= 0 && at % 8 == 0, "data of the tensor starting with " + first + " at " + at);
        }
    }

    @Test
    void damagedFilesGiveClearErrorsAndNoOutOfBoundsReads() {
        byte[] good = small().toBytes();
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            expectCleanOutcome(cut, "truncated to " + n);
        }
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < good.length; i++) {
            for (int v : new int[] {0, 0xFF, 0x7F, 0x80, rnd.nextInt(256)}) {
                byte[] bad = good.clone();
                bad[i] = (byte) v;
                expectCleanOutcome(bad, "byte " + i + " set to " + v);
            }
        }
    }

    private static void expectCleanOutcome(byte[] bytes, String what) {
        try {
            OnnxAdapterFile.fromBytes(bytes, "damaged");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().startsWith("damaged: not a valid .onnx_adapter file: "), what + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }
}
