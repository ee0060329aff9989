/**
 * Reading and writing the safetensors format, single files and sharded checkpoints.
 *
 * <ul>
 *   <li>{@link dev.tune4j.io.safetensors.SafetensorsFile}: memory-maps one file and hands out
 *       tensors that view the mapping ({@code safetensors.safe_open}).</li>
 *   <li>{@link dev.tune4j.io.safetensors.SafetensorsWriter}: writes files byte-identical to
 *       {@code safetensors.torch.save_file}, and sharded checkpoints as transformers'
 *       {@code save_pretrained(max_shard_size=...)} does.</li>
 *   <li>{@link dev.tune4j.io.safetensors.SafetensorsCheckpoint}: one key-to-tensor view over a
 *       model directory holding {@code model.safetensors} or an index and its shards.</li>
 *   <li>{@link dev.tune4j.io.safetensors.Safetensors}: {@code load_file} / {@code save_file}
 *       shortcuts.</li>
 * </ul>
 *
 * <p>Files are untrusted input: the header is validated the way the Rust crate validates it
 * (tensors contiguous from offset 0 and covering the data section exactly), and every failure
 * is a {@link dev.tune4j.io.safetensors.SafetensorsException}.
 */
package dev.tune4j.io.safetensors;
