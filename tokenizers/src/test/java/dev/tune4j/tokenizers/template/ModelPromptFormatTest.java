package dev.tune4j.tokenizers.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Chat templates in the style the model families publish, rendered to the prompt strings their
 * model cards and the transformers chat-templating guide show.
 */
class ModelPromptFormatTest {

    private static Map<String, Object> msg(String role, String content) {
        return Map.of("role", role, "content", content);
    }

    @Test
    void chatMl() {
        String template = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
                + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
                + "{% endif %}";
        String prompt = ChatTemplates.render(template,
                List.of(msg("system", "You are a helpful assistant."), msg("user", "Hello")), true, Map.of());
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHello<|im_end|>\n"
                + "<|im_start|>assistant\n", prompt);
    }

    /** Zephyr's template is written over many lines and relies on trim_blocks to produce one line per turn. */
    @Test
    void zephyrMultiLineTemplate() {
        String template = """
                {% for message in messages %}
                {% if message['role'] == 'user' %}
                {{ '<|user|>
                ' + message['content'] + eos_token }}
                {% elif message['role'] == 'system' %}
                {{ '<|system|>
                ' + message['content'] + eos_token }}
                {% elif message['role'] == 'assistant' %}
                {{ '<|assistant|>
                '  + message['content'] + eos_token }}
                {% endif %}
                {% if loop.last and add_generation_prompt %}
                {{ '<|assistant|>' }}
                {% endif %}
                {% endfor %}""";
        String prompt = ChatTemplates.render(template, List.of(
                msg("system", "You are a friendly chatbot who always responds in the style of a pirate"),
                msg("user", "How many helicopters can a human eat in one sitting?")), true, Map.of("eos_token", "</s>"));
        assertEquals("<|system|>\nYou are a friendly chatbot who always responds in the style of a pirate</s>\n"
                + "<|user|>\nHow many helicopters can a human eat in one sitting?</s>\n"
                + "<|assistant|>\n", prompt);
    }

    private static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
            + "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}"
            + "{% endfor %}";

    @Test
    void llama2InstWithSystemPrompt() {
        String prompt = ChatTemplates.render(LLAMA2, List.of(
                msg("system", "You are a helpful assistant."), msg("user", "Hi"), msg("assistant", " Hello! "),
                msg("user", "How are you?")), false, Map.of("bos_token", "<s>", "eos_token", "</s>"));
        assertEquals("<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nHi [/INST] Hello! </s>"
                + "<s>[INST] How are you? [/INST]", prompt);
    }

    @Test
    void llama2RejectsNonAlternatingRoles() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplates.render(LLAMA2,
                List.of(msg("user", "a"), msg("user", "b")), false, Map.of("bos_token", "<s>", "eos_token", "</s>")));
        assertEquals("Conversation roles must alternate user/assistant/user/assistant/...", e.getMessage());
    }

    @Test
    void mistralInstruct() {
        String template = "{{ bos_token }}{% for message in messages %}"
                + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
                + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
                + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
                + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token + ' ' }}"
                + "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";
        String prompt = ChatTemplates.render(template, List.of(
                msg("user", "What is your favourite condiment?"),
                msg("assistant", "Well, I'm quite partial to a good squeeze of fresh lemon juice."),
                msg("user", "Do you have mayonnaise recipes?")), false, Map.of("bos_token", "<s>", "eos_token", "</s>"));
        assertEquals("<s>[INST] What is your favourite condiment? [/INST]"
                + "Well, I'm quite partial to a good squeeze of fresh lemon juice.</s> "
                + "[INST] Do you have mayonnaise recipes? [/INST]", prompt);
    }

    @Test
    void gemma() {
        String template = "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
                + "{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}"
                + "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}"
                + "{% set role = message['role'] %}{% endif %}"
                + "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
                + "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";
        String prompt = ChatTemplates.render(template, List.of(msg("user", "Write a hello world program")), true,
                Map.of("bos_token", "<bos>"));
        assertEquals("<bos><start_of_turn>user\nWrite a hello world program<end_of_turn>\n<start_of_turn>model\n", prompt);
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplates.render(template,
                List.of(msg("system", "s"), msg("user", "u")), true, Map.of("bos_token", "<bos>")));
        assertEquals("System role not supported", e.getMessage());
    }

    @Test
    void llama3() {
        String template = "{% set loop_messages = messages %}{% for message in loop_messages %}"
                + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
                + "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
                + "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
        String prompt = ChatTemplates.render(template, List.of(msg("system", "You are a pirate chatbot."),
                msg("user", "Who are you?")), true, Map.of("bos_token", "<|begin_of_text|>"));
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a pirate chatbot.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWho are you?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", prompt);
    }

    @Test
    void callerVariablesOverrideDefaults() {
        String template = "{% if tools %}{{ tools|length }} tools{% else %}no tools{% endif %}|{{ documents }}";
        assertEquals("no tools|None", ChatTemplates.render(template, List.of(), false, Map.of()));
        assertEquals("1 tools|None", ChatTemplates.render(template, List.of(), false,
                Map.of("tools", List.of(Map.of("name", "f")))));
    }
}
