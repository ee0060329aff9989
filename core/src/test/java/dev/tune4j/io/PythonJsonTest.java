package dev.tune4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PythonJsonTest {
    @Test
    void floatsPrintLikePythonRepr() {
        // Expected strings are Python 3's repr() of the same doubles.
        assertEquals("1e-06", PythonJson.floatRepr(1e-6));
        assertEquals("10000.0", PythonJson.floatRepr(10000.0));
        assertEquals("0.02", PythonJson.floatRepr(0.02));
        assertEquals("1e+16", PythonJson.floatRepr(1e16));
        assertEquals("1000000000000000.0", PythonJson.floatRepr(1e15));
        assertEquals("0.0001", PythonJson.floatRepr(1e-4));
        assertEquals("1e-05", PythonJson.floatRepr(1e-5));
        assertEquals("1.5e-10", PythonJson.floatRepr(1.5e-10));
        assertEquals("-3.14", PythonJson.floatRepr(-3.14));
        assertEquals("5e-324", PythonJson.floatRepr(5e-324));
        assertEquals("1.7976931348623157e+308", PythonJson.floatRepr(Double.MAX_VALUE));
        assertEquals("0.1", PythonJson.floatRepr(0.1));
        assertEquals("123456789.0", PythonJson.floatRepr(123456789.0));
    }

    @Test
    void stringsAndContainersLikeJsonDumps() throws Exception {
        var om = new ObjectMapper();
        // json.dumps({"b": [], "a": {}, "é": "x\n\u0001"}, indent=2, sort_keys=True)
        var node = om.readTree("{\"b\": [], \"a\": {}, \"\u00e9\": \"x\\n\\u0001\"}");
        assertEquals("{\n  \"a\": {},\n  \"b\": [],\n  \"\\u00e9\": \"x\\n\\u0001\"\n}", PythonJson.dumps(node, 2, true));
        // json.dumps([1, 2.5, None, True]) without indent
        assertEquals("[1, 2.5, null, true]", PythonJson.dumps(om.readTree("[1, 2.5, null, true]"), -1, false));
    }

    @Test
    void rewritesTransformersConfigsByteForByte() throws Exception {
        var om = new ObjectMapper();
        for (String m : new String[] {"llama_tiny", "qwen2_tiny", "gpt2_tiny"}) {
            for (String f : new String[] {"config.json", "generation_config.json"}) {
                Path p = SharedData.require("golden/" + m + "/" + f);
                String original = Files.readString(p);
                assertEquals(original, PythonJson.dumps(om.readTree(original), 2, true) + "\n", m + "/" + f);
            }
        }
    }
}
