package dev.tune4j.tokenizers;

import java.nio.file.Path;
import java.util.List;

/**
 * Resolves a hub id ("org/name") to a local folder holding its files. This module downloads
 * nothing itself: tune4j-core registers its Hugging Face hub client through
 * {@link java.util.ServiceLoader} (META-INF/services), so with core on the class path
 * {@code AutoTokenizer.fromPretrained("org/name")} uses the shared hub cache.
 */
public interface PretrainedResolver {
    /** The local snapshot folder of {@code repoId} at {@code revision} with the files matching the patterns. */
    Path resolve(String repoId, String revision, List<String> filePatterns);
}
