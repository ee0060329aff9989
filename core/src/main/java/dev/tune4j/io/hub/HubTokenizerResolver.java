package dev.tune4j.io.hub;

import dev.tune4j.tokenizers.PretrainedResolver;
import java.nio.file.Path;
import java.util.List;

/** Lets {@code AutoTokenizer.fromPretrained("org/name")} download through the hub client. */
public final class HubTokenizerResolver implements PretrainedResolver {
    @Override
    public Path resolve(String repoId, String revision, List<String> filePatterns) {
        if (!HubClient.isRepoId(repoId)) {
            throw new IllegalArgumentException("'" + repoId + "' is neither a local directory nor a hub repo id (org/name)");
        }
        return HubClient.defaultClient().resolve(repoId, revision, filePatterns);
    }
}
