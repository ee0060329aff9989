/**
 * The Hugging Face hub client: {@code hf_hub_download}, {@code snapshot_download} and
 * {@code try_to_load_from_cache} of huggingface_hub, sharing its cache with Python.
 *
 * <ul>
 *   <li>{@link dev.tune4j.io.hub.HubClient}: downloads files and snapshots, finds them in the cache
 *       offline; {@code resolve(repoId, revision, patterns)} turns a hub id into a local folder.</li>
 *   <li>{@link dev.tune4j.io.hub.HubSettings}: HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN,
 *       HF_HUB_OFFLINE and the timeouts, read from the environment or set by hand.</li>
 *   <li>Exceptions, all unchecked under {@link dev.tune4j.io.hub.HubException}:
 *       {@link dev.tune4j.io.hub.RepositoryNotFoundException},
 *       {@link dev.tune4j.io.hub.RevisionNotFoundException},
 *       {@link dev.tune4j.io.hub.EntryNotFoundException},
 *       {@link dev.tune4j.io.hub.GatedRepoException} (401/403: set HF_TOKEN),
 *       {@link dev.tune4j.io.hub.LocalEntryNotFoundException} (offline or unreachable, not cached),
 *       {@link dev.tune4j.io.hub.DownloadIntegrityException} (hash or size mismatch).</li>
 * </ul>
 *
 * <p>The cache layout is huggingface_hub's: {@code models--{org}--{name}/blobs/{etag}},
 * {@code refs/{revision}} holding the commit hash, {@code snapshots/{commit}/{file}} as relative
 * symlinks to the blobs (copies where symlinks are refused), {@code .no_exist/{commit}/{file}}
 * markers, and lock files under {@code .locks/}. Downloads resume with HTTP Range requests from
 * {@code {blob}.incomplete}, are checked against the ETag (sha256 for LFS files, the git blob hash
 * otherwise) and renamed into place atomically. The token is sent only to the endpoint's host and
 * never logged.
 */
package dev.tune4j.io.hub;
