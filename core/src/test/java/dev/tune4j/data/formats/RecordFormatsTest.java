package dev.tune4j.data.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordFormatsTest {

    private static Map<String, Object> msg(String role, String content) {
        return Map.of("role", role, "content", content);
    }

    @Test
    void alpacaWithSystemHistoryAndInput() {
        Map<String, Object> row = Map.of("instruction", "Translate", "input", "bonjour", "output", "hello",
                "system", "You translate.", "history", List.of(List.of("hi", "hey")));
        assertEquals(List.of(msg("system", "You translate."), msg("user", "hi"), msg("assistant", "hey"),
                        msg("user", "Translate\nbonjour"), msg("assistant", "hello")),
                AlpacaFormat.DEFAULT.toMessages(row, 0));
        assertEquals(new PromptCompletion("Translate\nbonjour", "hello"), AlpacaFormat.DEFAULT.toPromptCompletion(row, 0));
        Map<String, Object> noInput = Map.of("instruction", "Say hi", "input", "", "output", "hi");
        assertEquals(List.of(msg("user", "Say hi"), msg("assistant", "hi")), AlpacaFormat.DEFAULT.toMessages(noInput, 0));
    }

    @Test
    void alpacaErrorsNameRowAndField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AlpacaFormat.DEFAULT.toMessages(Map.of("instruction", "x"), 7));
        assertEquals("row 7 is missing field 'output'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AlpacaFormat.DEFAULT.toMessages(
                Map.of("instruction", "x", "output", "y", "history", List.of(List.of("only one"))), 2));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("history"), e.getMessage());
    }

    @Test
    void shareGptRolesMap() {
        Map<String, Object> row = Map.of("conversations", List.of(
                Map.of("from", "system", "value", "Be brief."), Map.of("from", "human", "value", "2+2?"),
                Map.of("from", "gpt", "value", "4"), Map.of("from", "observation", "value", "{}")));
        assertEquals(List.of(msg("system", "Be brief."), msg("user", "2+2?"), msg("assistant", "4"), msg("tool", "{}")),
                ShareGptFormat.DEFAULT.toMessages(row, 0));
        Map<String, Object> fc = Map.of("conversations", List.of(Map.of("from", "function_call", "value", "f()")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShareGptFormat.DEFAULT.toMessages(fc, 4));
        assertTrue(e.getMessage().contains("row 4") && e.getMessage().contains("function_call"), e.getMessage());
        assertEquals(List.of(msg("assistant", "f()")),
                ShareGptFormat.DEFAULT.withRoles(Map.of("function_call", "assistant")).toMessages(fc, 4));
        e = assertThrows(IllegalArgumentException.class, () -> ShareGptFormat.DEFAULT.toMessages(
                Map.of("conversations", List.of(Map.of("from", "human"))), 1));
        assertTrue(e.getMessage().contains("'value'"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> ShareGptFormat.DEFAULT.toPromptCompletion(row, 0));
    }

    @Test
    void messagesKeepExtraKeys() {
        Map<String, Object> call = Map.of("role", "assistant", "content", "", "tool_calls", List.of(Map.of("id", "1")));
        List<Map<String, Object>> out = MessagesFormat.DEFAULT.toMessages(
                Map.of("messages", List.of(msg("user", "weather?"), call)), 0);
        assertEquals(List.of(msg("user", "weather?"), call), out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessagesFormat.DEFAULT
                .toMessages(Map.of("messages", List.of(Map.of("content", "x"))), 3));
        assertTrue(e.getMessage().contains("row 3") && e.getMessage().contains("'role'"), e.getMessage());
    }

    @Test
    void promptCompletionAndText() {
        Map<String, Object> row = Map.of("prompt", "The sky is", "completion", " blue.");
        assertEquals(new PromptCompletion("The sky is", " blue."), PromptCompletionFormat.DEFAULT.toPromptCompletion(row, 0));
        assertEquals(List.of(msg("user", "The sky is"), msg("assistant", " blue.")),
                PromptCompletionFormat.DEFAULT.toMessages(row, 0));
        Map<String, Object> conv = Map.of("prompt", List.of(msg("user", "hi")), "completion", List.of(msg("assistant", "yo")));
        assertEquals(List.of(msg("user", "hi"), msg("assistant", "yo")), PromptCompletionFormat.DEFAULT.toMessages(conv, 0));
        assertEquals(new PromptCompletion("", "plain"), TextFormat.DEFAULT.toPromptCompletion(Map.of("text", "plain"), 0));
        assertThrows(UnsupportedOperationException.class, () -> TextFormat.DEFAULT.toMessages(Map.of("text", "x"), 0));
    }

    @Test
    void detectAndConvertADatasetFile(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("alpaca.json");
        Files.writeString(p, "[{\"instruction\": \"a\", \"input\": \"\", \"output\": \"b\"},"
                + " {\"instruction\": \"c\", \"output\": \"d\"}]");
        Dataset ds = Dataset.fromJson(p);
        RecordFormat f = RecordFormats.detect(ds.columnNames());
        assertSame(AlpacaFormat.DEFAULT, f);
        Dataset pc = RecordFormats.toPromptCompletion(ds, f);
        assertEquals(List.of("prompt", "completion"), pc.columnNames());
        assertEquals(List.of("a", "c"), pc.column("prompt"));
        Dataset msgs = RecordFormats.toMessages(ds, f);
        assertEquals(List.of(msg("user", "c"), msg("assistant", "d")), msgs.get(1).get("messages"));
        assertSame(ShareGptFormat.DEFAULT, RecordFormats.byName("sharegpt"));
        assertThrows(IllegalArgumentException.class, () -> RecordFormats.detect(List.of("foo")));
        assertThrows(IllegalArgumentException.class, () -> RecordFormats.byName("vicuna"));
    }
}
