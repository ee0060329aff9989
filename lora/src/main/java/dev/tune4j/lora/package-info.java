/**
 * PEFT's LoRA on the JVM, laid out as peft lays it out: {@link dev.tune4j.lora.LoraConfig} (the
 * config, adapter_config.json), {@link dev.tune4j.lora.LoraLinear} (the layer: lora_A, lora_B,
 * scaling, DoRA, merge) and {@link dev.tune4j.lora.LoraModel} / {@link dev.tune4j.lora.PeftModel}
 * (targeting, wrapping, save/load, weighted combination, multi-adapter serving).
 *
 * <pre>{@code
 * // peft: model = get_peft_model(base, LoraConfig(r=16, lora_alpha=32, target_modules="all-linear"))
 * PeftModel peft = PeftModel.getPeftModel(base, LoraConfig.builder().r(16).loraAlpha(32).allLinear().build());
 * // peft: PeftModel.from_pretrained(base, "adapter").merge_and_unload().save_pretrained("merged")
 * PeftModel.fromPretrained(base, Path.of("adapter")).mergeAndUnload().savePretrained(Path.of("merged"));
 * }</pre>
 *
 * <p>Adapter folders are read and written in peft's format (adapter_config.json +
 * adapter_model.safetensors with {@code base_model.model.<module>.lora_A.weight} keys), so adapters
 * move between Python and Java both ways; an adapter saved back from a peft 0.13 file is byte-identical
 * to it. Random initialisation uses a seeded Java generator: the distributions are torch's, the
 * values are not torch's stream.
 */
package dev.tune4j.lora;
