"""Regenerates transformers_cases.jsonl with transformers' own renderer (not a re-implementation):

    python3 generate_transformers_cases.py /path/to/shared/tokenizers transformers_cases.jsonl

Needs transformers (5.x; torch not required) and jinja2 3.1. Two kinds of lines:
  {"kind": "continue", ...}    render_jinja_template(continue_final_message=field)
  {"kind": "generation", ...}  render_jinja_template(return_assistant_tokens_mask=True): text + spans
Templates are either "family" (the chat_template of shared/tokenizers/<family>/tokenizer_config.json,
read in place by the test) or written out in "template" (small templates defined below).
"""
import json
import sys
import warnings
from datetime import datetime
from unittest import mock

warnings.simplefilter("ignore")
from transformers.utils import chat_template_utils as ctu  # noqa: E402

shared, out_path = sys.argv[1], sys.argv[2]
SPECIAL = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]


def family(name):
    cfg = json.load(open(f"{shared}/{name}/tokenizer_config.json", encoding="utf-8"))
    tokens = {}
    for k in SPECIAL:
        v = cfg.get(k)
        if v is not None:
            tokens[k] = v["content"] if isinstance(v, dict) else v
    if cfg.get("additional_special_tokens"):
        tokens["additional_special_tokens"] = [t["content"] if isinstance(t, dict) else t
                                               for t in cfg["additional_special_tokens"]]
    return cfg["chat_template"], tokens


CHATML_GEN = ("{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' }}"
              "{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] + '<|im_end|>' }}{% endgeneration %}"
              "{% else %}{{ m['content'] + '<|im_end|>' }}{% endif %}{{ '\\n' }}{% endfor %}"
              "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
MACRO_GEN = ("{% macro turn(m) %}[{{ m.role }}]{% generation %}{{ m.content }}{% endgeneration %}{% endmacro %}"
             "{% for m in messages %}{{ turn(m) }}|{% endfor %}")
CONTENT_BLOCKS = ("{% for m in messages %}<{{ m.role }}>{% if m.content is string %}{{ m.content }}{% else %}"
                  "{% for c in m.content %}{% if c.type == 'text' %}{{ c.text }}{% else %}<img>{% endif %}{% endfor %}"
                  "{% endif %}</{{ m.role }}>\n{% endfor %}")
REASONING = ("{% for m in messages %}<{{ m.role }}>{% if m.reasoning_content %}<think>{{ m.reasoning_content }}"
             "</think>{% endif %}{{ m.content }}</{{ m.role }}>{% endfor %}")

BASE = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Name a colour."}]
cases = []
for fam in ["llama3_2", "qwen2_5", "phi3_mini"]:
    for partial in ["The colour is", "The colour is ", "  Red\n", "é😀 done"]:
        cases.append({"kind": "continue", "family": fam, "field": "content",
                      "messages": BASE + [{"role": "assistant", "content": partial}]})
    cases.append({"kind": "generation", "family": fam,
                  "messages": BASE + [{"role": "assistant", "content": "Red."}], "add_generation_prompt": False})
cases.append({"kind": "continue", "template": CONTENT_BLOCKS, "field": "content",
              "messages": [{"role": "user", "content": "Hi"},
                           {"role": "assistant", "content": [{"type": "text", "text": "Look: "}, {"type": "image"},
                                                             {"type": "text", "text": "a cat"}]}]})
cases.append({"kind": "continue", "template": REASONING, "field": "reasoning_content",
              "messages": [{"role": "user", "content": "Hi"},
                           {"role": "assistant", "content": "", "reasoning_content": "Let me think"}]})
cases.append({"kind": "continue", "template": REASONING, "field": "content",
              "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "reasoning_content": "x"}]})
cases.append({"kind": "continue", "template": "{% for m in messages %}{{ m.content[:3] }}{% endfor %}", "field": "content",
              "messages": [{"role": "assistant", "content": "abcdef"}]})
for name, tpl in [("chatml", CHATML_GEN), ("macro", MACRO_GEN)]:
    for agp in [False, True]:
        cases.append({"kind": "generation", "template": tpl, "add_generation_prompt": agp,
                      "messages": [{"role": "user", "content": "Hi é"}, {"role": "assistant", "content": "Hello 😀!"},
                                   {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Ciao"}]})

fixed = datetime(2024, 11, 22, 10, 30, 0)
with open(out_path, "w", encoding="utf-8") as out, mock.patch.object(ctu, "datetime") as dt:
    dt.now.return_value = fixed
    for i, c in enumerate(cases):
        tpl, tokens = family(c["family"]) if "family" in c else (c["template"], {})
        c["name"] = f"{c['kind']}{i}"
        try:
            if c["kind"] == "continue":
                rendered, _ = ctu.render_jinja_template(conversations=[c["messages"]], chat_template=tpl,
                                                        continue_final_message=c["field"], **tokens)
                c["expected"] = rendered[0]
            else:
                rendered, idx = ctu.render_jinja_template(conversations=[c["messages"]], chat_template=tpl,
                                                          return_assistant_tokens_mask=True,
                                                          add_generation_prompt=c["add_generation_prompt"], **tokens)
                c["expected"] = rendered[0]
                c["spans"] = [list(s) for s in idx[0]]
        except ValueError as e:
            c["error"] = str(e)
        out.write(json.dumps(c, ensure_ascii=False) + "\n")
print(len(cases))
