/**
 * bitsandbytes' 4-bit layers: {@link dev.tune4j.quant.nn.Linear4bit} (NF4/FP4, double
 * quantization, bnb's state-dict names) and the {@link dev.tune4j.quant.nn.Linear4bitFactory}
 * through which models build their projections while loading with a
 * {@link dev.tune4j.quant.BitsAndBytesConfig}.
 *
 * <pre>{@code
 * // transformers: AutoModelForCausalLM.from_pretrained(path, quantization_config=BitsAndBytesConfig(
 * //     load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True))
 * var bnb = BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType("nf4").bnb4bitUseDoubleQuant(true).build();
 * CausalLM model = AutoModelForCausalLM.fromPretrained(path, LoadOptions.builder().quantizationConfig(bnb).build());
 * }</pre>
 */
package dev.tune4j.quant.nn;
