/**
 * Hugging Face chat templates: a Jinja2 interpreter that renders {@code tokenizer_config.json}'s
 * {@code chat_template} byte for byte as transformers' {@code apply_chat_template} does (jinja2 3.1,
 * {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)}, loop controls, the
 * {@code generation} tag, transformers' {@code tojson}, {@code raise_exception} and
 * {@code strftime_now}).
 *
 * <p>Entry points: {@link dev.tune4j.tokenizers.template.ChatTemplate} (compile once, render many
 * times, from any thread) and {@link dev.tune4j.tokenizers.template.ChatTemplates} (the context
 * {@code apply_chat_template} builds, special tokens and named templates from
 * {@code tokenizer_config.json}, {@code continue_final_message}).
 *
 * <p>Supported: every statement chat templates use ({@code if/elif/else}, {@code for} with
 * {@code else}, filtering, unpacking, {@code recursive} and the {@code loop} variable, {@code set}
 * including namespaces and block sets, {@code macro}/{@code call}/{@code caller}, {@code filter},
 * {@code with}, {@code break}/{@code continue}, {@code raw}, {@code generation}), whitespace
 * control, the full expression language, jinja2's built-in filters and tests used by chat
 * templates, Python string/dict methods, and Python value semantics: {@code str()}/{@code repr()}
 * printing, float formatting, integer and floor division, slicing, dict views and {@code range}
 * objects, one-shot iterators returned by {@code map}/{@code select}, and markupsafe's escaping
 * once {@code |safe} or {@code |escape} is applied. Not supported: {@code include}/{@code import}/{@code extends}/{@code block} (templates
 * are self-contained), integers beyond 64 bits, complex numbers, and the filters chat templates do
 * not use ({@code groupby}, {@code slice}, {@code urlize}, {@code wordwrap}, {@code xmlattr},
 * {@code random}, ...), which fail at compile time like any unknown filter.
 */
package dev.tune4j.tokenizers.template;
