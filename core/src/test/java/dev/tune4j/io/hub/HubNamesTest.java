package dev.tune4j.io.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Names as huggingface_hub and Python's standard library treat them: fnmatch patterns, URL
 * quoting, repo id validation, ETag normalisation. Expected values are what Python returns.
 */
class HubNamesTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "model.safetensors|*.safetensors|true",
        "sub/dir/x.json|*.json|true", // fnmatch's * crosses '/'
        "config.json|*.JSON|false", // case-sensitive on POSIX
        "tokenizer_config.json|tokenizer*|true",
        "a.txt|?.txt|true",
        "ab.txt|?.txt|false",
        "b.txt|[abc].txt|true",
        "d.txt|[!abc].txt|true",
        "a.txt|[!abc].txt|false",
        "m.txt|[a-z].txt|true",
        "M.txt|[a-z].txt|false",
        "[x|[x|true", // an unclosed '[' is literal
        "[]|[]|true",
        "a+b(c).json|a+b(c).json|true", // regex metacharacters are literal
        "a.json|a+b(c).json|false",
        "x.model|*.model|true",
        "model.safetensors.index.json|*.json|true",
        "pytorch_model.bin|*.safetensors|false",
    })
    void fnmatchMatchesLikePython(String name, String pattern, boolean expected) {
        assertEquals(expected, FnMatch.matches(name, pattern), name + " vs " + pattern);
    }

    @Test
    void filterRepoObjectsAppliesAllowThenIgnore() {
        List<String> files = List.of("aaa.pdf", "bbb.jpg", ".ccc.pdf", ".ddd.png");
        assertEquals(List.of("aaa.pdf"), FnMatch.filter(files, List.of("*.pdf"), List.of(".*")));
        assertEquals(files, FnMatch.filter(files, null, null));
        assertEquals(List.of("bbb.jpg"), FnMatch.filter(files, null, List.of("*.pdf", ".*")));
        assertEquals(List.of(), FnMatch.filter(files, List.of(), null), "an empty allow list allows nothing");
    }

    @Test
    void quoteEncodesLikeUrllib() {
        assertEquals("refs%2Fpr%2F1", HubNames.quote("refs/pr/1", ""));
        assertEquals("dir/a%20b%2Bc.json", HubNames.quote("dir/a b+c.json", "/"));
        assertEquals("%C3%A9t%C3%A9~_.-", HubNames.quote("été~_.-", ""));
        assertEquals("https://huggingface.co/org/name/resolve/refs%2Fpr%2F1/sub/a%20b.json",
                HubNames.resolveUrl("https://huggingface.co", "org/name", "refs/pr/1", "sub/a b.json"));
        assertEquals("https://huggingface.co/api/models/org/name/revision/v1.0",
                HubNames.modelInfoUrl("https://huggingface.co", "org/name", "v1.0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "org/name", "Qwen/Qwen2.5-0.5B-Instruct", "a_b/c.d-e"})
    void validRepoIds(String id) {
        assertTrue(HubNames.isRepoId(id), id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"org/name/x", "org--x/y", "../x", "-abc/x", "a/b.git", "/abs", "", "a b/c", "./local"})
    void invalidRepoIds(String id) {
        assertFalse(HubNames.isRepoId(id), id);
    }

    @Test
    void repoIdsAreAtMost96Characters() {
        assertTrue(HubNames.isRepoId("a".repeat(96)));
        assertFalse(HubNames.isRepoId("a".repeat(97)));
    }

    @Test
    void etagsLoseQuotesAndTheWeakPrefix() {
        assertEquals("abc123", HubNames.normalizeEtag("\"abc123\""));
        assertEquals("abc123", HubNames.normalizeEtag("W/\"abc123\""));
        assertEquals("abc123", HubNames.normalizeEtag("abc123"));
    }

    @Test
    void repoFolderNameIsPythons() {
        assertEquals("models--julien-c--EsperBERTo-small", CacheLayout.repoFolderName("julien-c/EsperBERTo-small"));
        assertEquals("models--gpt2", CacheLayout.repoFolderName("gpt2"));
    }
}
