/**
 * The ONNX Runtime backend: the models of {@code dev.tune4j.models}, unchanged, traced into ONNX
 * graphs and run in ONNX Runtime on its CPU or CUDA execution provider (optimum's
 * {@code ORTModelForCausalLM} counterpart).
 *
 * <ul>
 *   <li>{@link dev.tune4j.backend.onnx.OnnxRuntimeBackend}: the {@code Backend} a model is built
 *       on; {@code compile(model)} records the forward pass (all positions' logits) and the cached
 *       decode step (past keys/values in, new ones out) and returns a {@code CausalLM} whose
 *       {@code forward}, {@code newDecoder} and {@code generate} run in ORT.</li>
 *   <li>Selected through {@code LoadOptions.builder().backend("onnxruntime").device("cpu" | "cuda:0")};
 *       needs {@code com.microsoft.onnxruntime:onnxruntime} (or {@code onnxruntime_gpu}) and
 *       {@code org.tribuo:tribuo-util-onnx}, both optional dependencies of core.</li>
 *   <li>bitsandbytes 4-bit layers (a {@code BitsAndBytesConfig} at load, or a bnb-4bit checkpoint)
 *       compute through {@code Backend.linear4bit} and become {@code com.microsoft.MatMulBnb4}
 *       nodes over their packed bytes as stored (uint8 initializer {@code <layer>.weight}) and
 *       float32 block scales ({@code <layer>.weight.absmax}, double-quantized scales dequantized
 *       once); ORT's CPU kernel takes block sizes 16 to 256.</li>
 *   <li>{@link dev.tune4j.backend.onnx.OrtTrainingStep}: forward, causal-LM loss and backward of a
 *       training step as one graph, trained parameters in and their gradients out, the optimizer
 *       on the host. QLoRA too: a 4-bit layer's input gradient multiplies by its weight
 *       dequantized in the graph from the same bytes at each step (its weight stays frozen). The
 *       {@code Trainer} compiles and uses one by itself for a model on this backend.</li>
 *   <li>Run-time LoRA slots ({@code LoadOptions.loraTargetModules}) go on float and 4-bit linear
 *       layers alike.</li>
 *   <li>{@code output_hidden_states}: a third forward graph, traced at the first request, outputs
 *       {@code hidden_states.0} .. {@code hidden_states.L} [tokens, hidden] after the logits.</li>
 *   <li>Once the module tree changes after compiling (PEFT injects adapter layers, a parameter
 *       trains and so changes in place), {@code forward} and {@code newDecoder} run the module
 *       itself, op by op on the CPU, so that they compute the model as it now is.</li>
 * </ul>
 *
 * <p>Graph inputs: {@code input_ids} [batch, seq]; {@code position_ids} (GPT-2); {@code rope_cos},
 * {@code rope_sin} [tokens, headDim/2] from the model's own {@code RotaryEmbedding}, so every
 * rope_scaling variant matches the CPU backend exactly; {@code attention_bias*} [batch, seq,
 * slots] from the attention mask (padding, sliding window, packed documents, transformers'
 * finfo.min conventions); and in the decode graph {@code past_key.i}/{@code past_value.i} [slots,
 * batch, kvHeads*headDim]. Outputs: {@code logits}, and {@code new_key.i}/{@code new_value.i}.
 */
package dev.tune4j.backend.onnx;
