package dev.tune4j.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune4j.io.PythonJson;
import java.io.IOException;
import java.nio.file.Path;

/** JSON files of a model folder, written the way transformers writes them. */
public final class ModelFiles {
    private ModelFiles() {}

    /** {@code json.dumps(obj, indent=2, sort_keys=True) + "\n"}, as transformers writes its JSON files. */
    public static String pythonJson(JsonNode node) {
        return PythonJson.dumps(node, 2, true) + "\n";
    }

    /** Writes {@link #pythonJson} through a temp file and an atomic rename. */
    public static void writeJsonAtomically(Path file, JsonNode node) throws IOException {
        writeStringAtomically(file, pythonJson(node));
    }

    /** Writes text through a temp file in the same folder and an atomic rename. */
    public static void writeStringAtomically(Path file, String text) throws IOException {
        try {
            dev.tune4j.io.AtomicFiles.writeString(file, text);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
