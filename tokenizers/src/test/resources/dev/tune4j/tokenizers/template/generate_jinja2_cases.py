"""Regenerates jinja2_cases.jsonl: python3 generate_jinja2_cases.py jinja2_cases.jsonl (needs jinja2 3.1.x).

The environment mirrors transformers' chat-template renderer: ImmutableSandboxedEnvironment with
trim_blocks, lstrip_blocks, loopcontrols and the generation tag, plus its tojson, raise_exception
and a strftime_now pinned to 2024-11-22 10:30:00.
"""
import json, sys
from datetime import datetime
import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

class AssistantTracker(Extension):
    tags = {"generation"}
    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render_generation"), [], [], body).set_lineno(lineno)
    def _render_generation(self, caller):
        return caller()

def raise_exception(message):
    raise TemplateError(message)
def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
def strftime_now(format):
    return datetime(2024, 11, 22, 10, 30, 0).strftime(format)

env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, "jinja2.ext.loopcontrols"])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

M = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "How are you?"}]
CASES = [
 # --- whitespace control: trim_blocks / lstrip_blocks / - / +
 ("ws_trim_blocks", "{% if true %}\nyes\n{% endif %}\nafter", {}),
 ("ws_lstrip_blocks", "  {% if true %}\n  yes\n  {% endif %}\nend", {}),
 ("ws_lstrip_tabs", "\t\t{% for i in [1,2] %}\n\t{{ i }}\n\t\t{% endfor %}\n", {}),
 ("ws_lstrip_not_after_text", "x  {% if true %}y{% endif %}", {}),
 ("ws_lstrip_not_after_var", "{{ 1 }}  {% if true %}y{% endif %}", {}),
 ("ws_lstrip_var_untouched", "  {{ 'v' }}\n  {% if true %}\n  k\n  {% endif %}", {}),
 ("ws_plus_disables_lstrip", "  {%+ if true %}x{% endif %}", {}),
 ("ws_plus_disables_trim", "{% if true +%}\nx{% endif %}", {}),
 ("ws_minus_left", "a   \n\n  {%- if true %}b{% endif %}", {}),
 ("ws_minus_right", "{% if true -%}   \n\n  b{% endif %}", {}),
 ("ws_minus_var", "a  {{- 'b' -}}  \n c", {}),
 ("ws_var_no_trim", "{{ 'a' }}\nb", {}),
 ("ws_comment_trim", "a\n{# comment #}\nb\n  {# indented #}\nc", {}),
 ("ws_comment_minus", "a  {#- c -#}  b", {}),
 ("ws_trailing_newline_dropped", "line\n", {}),
 ("ws_two_trailing_newlines", "line\n\n", {}),
 ("ws_crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc", {}),
 ("ws_block_at_start", "   {% if true %}x{% endif %}", {}),
 ("ws_raw", "{% raw %}\n  {{ not evaluated }} {% if %}\n{% endraw %}\nz", {}),
 ("ws_raw_minus", "a {%- raw -%}  keep {{ this }}  {%- endraw -%} b", {}),
 ("ws_nested_blocks", "{% for m in messages %}\n    {% if m.role == 'user' %}\n        U:{{ m.content }}\n    {% else %}\n        O:{{ m.content }}\n    {% endif %}\n{% endfor %}\n", {"messages": M}),
 ("ws_set_line", "a\n  {% set x = 1 %}\nb{{ x }}", {}),
 ("ws_endblock_newline_eaten_once", "{% if true %}\n\nx{% endif %}", {}),
 # --- loops
 ("loop_vars", "{% for x in ['a','b','c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}", {}),
 ("loop_prev_next", "{% for x in [1,2,3] %}[{{ loop.previtem }},{{ loop.nextitem }}]{% endfor %}", {}),
 ("loop_cycle", "{% for x in range(5) %}{{ loop.cycle('odd','even') }} {% endfor %}", {}),
 ("loop_else", "{% for x in [] %}x{% else %}empty{% endfor %}", {}),
 ("loop_filter", "{% for m in messages if m.role != 'system' %}{{ loop.index }}:{{ m.role }} {% endfor %}", {"messages": M}),
 ("loop_unpack_items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 1, "a": 2}}),
 ("loop_dict_iter", "{% for k in d %}{{ k }}{% endfor %}", {"d": {"x": 1, "y": 2}}),
 ("loop_string_iter", "{% for c in 'héllo' %}{{ c }}-{% endfor %}", {}),
 ("loop_break_continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}", {}),
 ("loop_scope", "{% set x = 0 %}{% for i in range(3) %}[{{ x }}]{% set x = i %}({{ x }}){% endfor %}{{ x }}", {}),
 ("loop_nested_loop_var", "{% for a in [1,2] %}{% for b in [3,4] %}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}", {}),
 ("loop_changed", "{% for x in [1,1,2,2,3] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}", {}),
 ("loop_recursive", "{% for n in tree recursive %}<{{ n.name }}{% if n.children %}{{ loop(n.children) }}{% endif %}>{% endfor %}", {"tree": [{"name": "a", "children": [{"name": "b", "children": []}, {"name": "c"}]}, {"name": "d"}]}),
 ("loop_depth", "{% for n in tree recursive %}{{ loop.depth }}{% if n.c %}{{ loop(n.c) }}{% endif %}{% endfor %}", {"tree": [{"c": [{"c": [{}]}]}]}),
 ("loop_undefined_iter", "{% for x in nothing %}x{% else %}none{% endfor %}", {}),
 ("loop_tuple_literal", "{% for a, b in [(1, 2), (3, 4)] %}{{ a + b }} {% endfor %}", {}),
 # --- set / namespace / scoping
 ("set_basic", "{% set a, b = 1, 2 %}{{ a }}{{ b }}", {}),
 ("set_block", "{% set x %}  hello {{ 'w' }}  {% endset %}[{{ x }}]", {}),
 ("set_block_filter", "{% set x | upper %}abc{% endset %}{{ x }}", {}),
 ("namespace_loop", "{% set ns = namespace(found=false, n=0) %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.found = true %}{% set ns.n = ns.n + 1 %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.n }}", {"messages": M}),
 ("namespace_expr", "{% set ns = namespace(x=messages|length * 2, y='s') %}{{ ns.x }}{{ ns.y }}{{ ns.missing }}", {"messages": M}),
 ("if_scope_leaks", "{% if true %}{% set y = 5 %}{% endif %}{{ y }}", {}),
 ("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", {}),
 # --- macros
 ("macro_defaults", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Al', '?') }} {{ greet(punct='.', name='Z') }}", {}),
 ("macro_varargs_kwargs", "{% macro f(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ f(1, 2, 3, x=4) }}", {}),
 ("macro_caller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}inner{% endcall %}", {}),
 ("macro_caller_args", "{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1,2]) %}[{{ x }}]{% endcall %}", {}),
 ("macro_recursive", "{% macro r(n) %}{% if n > 0 %}{{ n }}{{ r(n - 1) }}{% endif %}{% endmacro %}{{ r(5) }}", {}),
 ("macro_missing_arg", "{% macro f(a, b) %}[{{ a }}][{{ b }}]{% endmacro %}{{ f(1) }}", {}),
 ("filter_block", "{% filter upper %}hello {{ 'x' }}{% endfilter %}", {}),
 ("generation_block", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}|{% endfor %}", {"messages": M}),
 # --- expressions
 ("arith", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 1.5 * 2 }} {{ 10 / 4 }} {{ 4 / 2 }}", {}),
 ("arith_mixed", "{{ true + 1 }} {{ 3 * 'ab' }} {{ [1] * 3 }} {{ 5 // 2.0 }} {{ 5.5 % 2 }} {{ 2 ** -1 }} {{ 1e3 }} {{ 1_000 }}", {}),
 ("concat_tilde", "{{ 'a' ~ 1 ~ none ~ true ~ [1] ~ undefined_var }}", {}),
 ("compare_chain", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'b' }} {{ [1,2] < [1,3] }} {{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' != 'b' }} {{ (1,2) == [1,2] }}", {}),
 ("in_ops", "{{ 'a' in 'cat' }} {{ 2 in [1,2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in ['a'] }} {{ not 'x' in 'y' }}", {}),
 ("and_or_values", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }} {{ none or [] }} {{ not none }}", {}),
 ("cond_expr", "{{ 'y' if true else 'n' }} {{ 'y' if false else 'n' }} [{{ 'y' if false }}] {{ 1 if false else 2 if false else 3 }}", {}),
 ("literals", "{{ 'it\\'s' }} {{ \"q\\\"q\" }} {{ 'a\\nb' }} {{ '\\u00e9\\x41' }} {{ 'adj' 'acent' }} {{ 0.1 }} {{ 1.0 }} {{ 3.14e2 }}", {}),
 ("str_of_values", "{{ none }} {{ true }} {{ false }} {{ [1, 'a', none, true, 1.5] }} {{ {'a': 1, 'b': [2]} }} {{ (1,) }} {{ (1, 'x') }} {{ () }} {{ ['it\\'s'] }} {{ [\"a\\nb\"] }}", {}),
 ("str_of_context_values", "{{ data }} {{ data.f }} {{ data.l }}", {"data": {"f": 0.1, "l": [1, 2.5, "x", None, True, {"k": "v"}]}}),
 ("float_repr", "{{ 1e16 }} {{ 1e15 }} {{ 1e-5 }} {{ 0.0001 }} {{ 0.1 + 0.2 }} {{ 1/3 }} {{ 2.5e-10 }} {{ 123456789012345678.0 }} {{ -0.0 }} {{ 100.0 }}", {}),
 ("getattr_getitem", "{{ m.role }} {{ m['content'] }} {{ m.missing }}|{{ m['missing'] }}|{{ l[0] }} {{ l[-1] }} {{ l[10] }}|{{ l.0 }}", {"m": {"role": "user", "content": "c"}, "l": [1, 2, 3]}),
 ("dict_methods", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }}", {"d": {"a": 1, "b": None}}),
 ("slicing", "{{ s[1:] }} {{ s[:-1] }} {{ s[::-1] }} {{ s[::2] }} {{ s[-3:] }} {{ l[1:3] }} {{ l[::-1] }} {{ l[5:] }} {{ l[:-10] }} {{ l[-2::-1] }} {{ s[1:4:2] }}", {"s": "abcdef", "l": [1, 2, 3, 4]}),
 ("slice_messages", "{% set rest = messages[1:] %}{{ rest|length }} {{ messages[0].role }} {{ messages[-1]['content'] }}", {"messages": M}),
 ("dict_literal_nested", "{{ {'a': {'b': 1}} }} {{ {'a': {'b': 1}}['a']['b'] }}", {}),
 # --- string methods
 ("str_strip", "[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ 'xxhixx'.strip('x') }}][{{ s|trim }}]", {"s": " \t hi there \n "}),
 ("str_split", "{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a b c'.split(' ', 1) }} {{ '  lead'.split() }} {{ 'a b c'.rsplit(' ', 1) }} {{ ''.split() }} {{ ''.split(',') }}", {}),
 ("str_case", "{{ 'hello world'.upper() }} {{ 'HeLLo'.lower() }} {{ \"hello world's\".title() }} {{ 'hELLO'.capitalize() }} {{ \"hello world's\"|title }} {{ 'hELLO wORLD'|capitalize }}", {}),
 ("str_startswith", "{{ 'hello'.startswith('he') }} {{ 'hello'.endswith('lo') }} {{ 'hello'.startswith(('x', 'h')) }} {{ 'hello'.startswith('l', 2) }}", {}),
 ("str_replace_find", "{{ 'aaa'.replace('a', 'b') }} {{ 'aaa'.replace('a', 'b', 2) }} {{ 'hello'.find('l') }} {{ 'hello'.find('z') }} {{ 'hello'.count('l') }} {{ 'hello'.rfind('l') }}", {}),
 ("str_format", "{{ '{} and {}'.format(1, 'b') }} {{ '{0}{1}{0}'.format('x', 'y') }} {{ '{name}!'.format(name='N') }} {{ '{:>5}|{:<4}|{:^7}'.format('a', 'b', 'c') }} {{ '{:.2f}'.format(3.14159) }} {{ '{{}}'.format() }}", {}),
 ("str_join_method", "{{ ', '.join(['a', 'b']) }} {{ '-'.join('abc') }}", {}),
 ("percent_format", "{{ '%s is %d' % ('x', 5) }} {{ '%.2f' % 2.5 }} {{ '%5s|%-5s|' % ('a', 'b') }} {{ 'hi %s'|format('there') }}", {}),
 ("str_misc", "{{ 'abc'.isalpha() }} {{ '123'.isdigit() }} {{ '  '.isspace() }} {{ 'ABC'.isupper() }} {{ 'a\\nb'.splitlines() }} {{ '5'.zfill(3) }}", {}),
 # --- filters
 ("f_tojson_basic", "{{ data|tojson }}", {"data": {"name": "f", "n": 1, "x": 1.5, "ok": True, "none": None, "l": [1, "ü", "a\"b\\c\n"], "e": {}, "el": []}}),
 ("f_tojson_indent", "{{ data|tojson(indent=4) }}", {"data": {"name": "get_weather", "parameters": {"type": "object", "properties": {"loc": {"type": "string"}}, "required": ["loc"]}, "e": [], "d": {}}}),
 ("f_tojson_indent2_sort", "{{ data|tojson(indent=2, sort_keys=true) }}", {"data": {"b": [1, {"z": 1, "a": 2}], "a": "x"}}),
 ("f_tojson_separators", "{{ data|tojson(separators=(',', ':')) }} {{ data|tojson(indent=0) }} {{ data|tojson(indent='\\t') }}", {"data": {"a": [1, 2], "b": "c"}}),
 ("f_tojson_scalars", "{{ 'é\\u2028\\x01'|tojson }} {{ 1.0|tojson }} {{ none|tojson }} {{ (1, 2)|tojson }} {{ 1e20|tojson }} {{ 'x'|tojson(ensure_ascii=true) }} {{ 'é'|tojson(ensure_ascii=true) }}", {}),
 ("f_tojson_int_keys", "{{ {1: 'a', true: 'b', none: 'c'}|tojson }}", {}),
 ("f_length_first_last", "{{ messages|length }} {{ messages|count }} {{ messages|first }} {{ (messages|last).role }} {{ 'héllo'|length }} {{ []|first }}|{{ 'abc'|first }}{{ 'abc'|last }}", {"messages": M}),
 ("f_join", "{{ ['a', 'b', 1]|join(', ') }} {{ messages|map(attribute='role')|join('/') }} {{ messages|join('|', attribute='role') }} {{ [1, 2]|join }}", {"messages": M}),
 ("f_default", "{{ x|default('d') }} {{ ''|default('d') }} {{ ''|default('d', true) }} {{ none|default('d') }} {{ x|d('dd') }} {{ 0|default('z', boolean=true) }}", {}),
 ("f_list_string", "{{ 'abc'|list }} {{ (1, 2)|list }} {{ 5|string ~ 'x' }} {{ {'a': 1}|list }}", {}),
 ("f_int_float", "{{ '42'|int }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} {{ '3.5'|float }} {{ 'x'|float }} {{ 2|float }} {{ ' 12 '|int }} {{ '0x1A'|int(base=16) }} {{ '1e3'|float }}", {}),
 ("f_abs_round", "{{ -3|abs }} {{ (-3.5)|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 2.1|round(0, 'ceil') }} {{ 2.9|round(method='floor') }} {{ 3|round }}", {}),
 ("f_replace_reverse", "{{ 'hello'|replace('l', 'L') }} {{ 'hello'|replace('l', 'L', 1) }} {{ 'abc'|reverse }} {{ [1, 2, 3]|reverse|list }}", {}),
 ("f_sort_unique", "{{ ['b', 'A', 'c']|sort }} {{ ['b', 'A', 'c']|sort(case_sensitive=true) }} {{ [3, 1, 2]|sort(reverse=true) }} {{ messages|sort(attribute='role')|map(attribute='content')|list }} {{ ['a', 'A', 'b', 'a']|unique|list }} {{ [1, 2, 1]|unique|list }}", {"messages": M}),
 ("f_map_select", "{{ ['a', 'b']|map('upper')|list }} {{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('even')|list }} {{ [0, 1, '', 'x']|select|list }} {{ messages|selectattr('role', 'equalto', 'user')|map(attribute='content')|list }} {{ messages|rejectattr('role', 'in', ['user', 'system'])|list|length }} {{ [1, 5, 10]|select('gt', 3)|list }}", {"messages": M}),
 ("f_map_default", "{{ messages|map(attribute='name', default='anon')|list }}", {"messages": M[:2]}),
 ("f_items_dictsort", "{{ d|items|list }} {{ d|dictsort }} {{ d|dictsort(by='value') }} {{ d|dictsort(reverse=true) }}", {"d": {"b": 2, "a": 3, "C": 1}}),
 ("f_indent", "[{{ 'a\\nb\\n\\nc'|indent }}] [{{ 'a\\nb'|indent(2, first=true) }}] [{{ 'a\\n\\nb'|indent(2, blank=true) }}] [{{ 'x\\ny'|indent('> ') }}]", {}),
 ("f_escape_safe", "{{ '<a href=\"x\">&\\'</a>'|e }} {{ '<b>'|safe }} {{ '<i>'|escape }}", {}),
 ("f_wordcount_center", "{{ 'hello big  world, ok'|wordcount }} [{{ 'ab'|center(7) }}] [{{ 'abc'|center(6) }}]", {}),
 ("f_batch_sum_minmax", "{{ [1, 2, 3, 4, 5]|batch(2)|list }} {{ [1, 2, 3]|batch(2, 'x')|list }} {{ [1, 2, 3]|sum }} {{ [{'v': 1}, {'v': 2}]|sum(attribute='v') }} {{ [3, 1, 2]|min }} {{ ['b', 'A']|max }} {{ [1.5, 2]|sum(start=1) }}", {}),
 ("f_truncate", "{{ 'hello world foo bar'|truncate(9) }} {{ 'hello world foo bar'|truncate(9, true) }} {{ 'hello world foo bar baz qux quux corge'|truncate(20, leeway=0) }} {{ 'short'|truncate(20) }}", {}),
 ("f_upper_lower_chain", "{{ messages[0].content|upper|lower|trim }}", {"messages": M}),
 ("f_attr", "[{{ {'a': 1}|attr('a') }}] {{ 'x'|attr('upper') is callable }}", {}),
 # --- tests
 ("tests_types", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ none is none }} {{ 'a' is string }} {{ 1 is number }} {{ 1.5 is number }} {{ true is number }} {{ {} is mapping }} {{ [] is mapping }} {{ 'a' is iterable }} {{ 1 is iterable }} {{ [] is sequence }} {{ true is boolean }} {{ 1 is boolean }} {{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ 1 is float }}", {"x": 1}),
 ("tests_values", "{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 1 is eq 1 }} {{ 1 is ne 2 }} {{ 1 is lt 2 }} {{ 2 is gt 1 }} {{ 2 is ge 2 }} {{ 1 is le 0 }} {{ 'a' is in 'abc' }} {{ 2 is in [1, 2] }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'x' is not none }} {{ none is not none }} {{ x is not defined }}", {"x": 1}),
 ("tests_sameas_callable", "{{ none is sameas none }} {{ raise_exception is callable }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ 'nope' is filter }}", {}),
 ("tests_content_string", "{% for m in messages %}{% if m.content is string %}S{% elif m.content is iterable %}I{% endif %}{% endfor %}", {"messages": [{"content": "x"}, {"content": [{"type": "text", "text": "y"}]}]}),
 # --- globals
 ("g_range", "{{ range(3)|list }} {{ range(1, 4)|list }} {{ range(10, 0, -3)|list }} {% for i in range(2) %}{{ i }}{% endfor %}", {}),
 ("g_dict", "{{ dict(a=1, b=2) }} {{ dict(a=1).a }}", {}),
 ("g_strftime", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ strftime_now('%A %B %j %y %p %I %a %%') }}", {}),
 ("g_joiner", "{% set j = joiner(' | ') %}{% for x in [1, 2, 3] %}{{ j() }}{{ x }}{% endfor %}", {}),
 ("g_raise", "{% if messages|length > 1 %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}", {"messages": M}),
 ("g_namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}", {}),
 # --- undefined behaviour
 ("undef_print", "[{{ nothing }}][{{ nothing|upper }}][{{ nothing|length }}][{{ nothing is defined }}][{{ nothing ~ 'x' }}]", {}),
 ("undef_attr_error", "{{ nothing.attr }}", {}),
 ("undef_call_error", "{{ nothing() }}", {}),
 ("undef_add_error", "{{ nothing + 1 }}", {}),
 ("undef_missing_attr_of_dict_chain", "{{ d.missing.deeper }}", {"d": {}}),
 ("unsafe_append", "{% set l = [1] %}{{ l.append(2) }}", {}),
 ("unsafe_update", "{% set d = {} %}{{ d.update({'a': 1}) }}", {}),
 ("type_error_concat", "{{ 'a' + 1 }}", {}),
 ("none_iter_error", "{% for x in none %}{% endfor %}", {}),
 ("tojson_undefined_error", "{{ nothing|tojson }}", {}),
 # --- real-ish templates
 ("chatml", "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}", {"messages": M, "add_generation_prompt": True}),
]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "City, e.g. Paris"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["location"]}}}]
TOOL_MSGS = [{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"location": "Paris", "unit": "c"}}}]}, {"role": "tool", "content": "{\"temp\": 21.5}"}, {"role": "assistant", "content": "It is 21.5 °C."}]
LLAMA31 = """{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- set date_string = "26 Jul 2024" %}
{%- endif %}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}
{{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
{%- if tools is not none %}
    {{- "Environment: ipython\\n" }}
{%- endif %}
{{- "Today Date: " + date_string + "\\n\\n" }}
{{- system_message }}
{{- "<|eot_id|>" }}
{%- if tools_in_user_message and not tools is none %}
    {%- set first_user_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
    {{- '<|start_header_id|>user<|end_header_id|>\\n\\n' -}}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\\n\\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>"}}
{%- endif %}
{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {%- set tool_call = message.tool_calls[0].function %}
        {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}
        {{- '{"name": "' + tool_call.name + '", ' }}
        {{- '"parameters": ' }}
        {{- tool_call.arguments | tojson }}
        {{- "}" }}
        {{- "<|eot_id|>" }}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" }}
        {%- if message.content is mapping or message.content is iterable %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
"""
HERMES = """{%- macro json_to_python_type(json_spec) %}
{%- set basic_type_map = {"string": "str", "number": "float", "integer": "int", "boolean": "bool"} %}
{%- if basic_type_map[json_spec.type] is defined %}
    {{- basic_type_map[json_spec.type] }}
{%- elif json_spec.type == "array" %}
    {{- "list[" +  json_to_python_type(json_spec|items) + "]" }}
{%- elif json_spec.type == "object" %}
    {{- "dict" }}
{%- else %}
    {{- "Any" }}
{%- endif %}
{%- endmacro %}
{{- bos_token }}
{{- "<|im_start|>system\\nYou are a function calling AI model. <tools> " }}
{%- for tool in tools %}
    {%- if tool.function is defined %}
        {%- set tool = tool.function %}
    {%- endif %}
    {{- '{"type": "function", "function": ' }}
    {{- '{"name": "' + tool.name + '", ' }}
    {{- '"description": "' + tool.name + '(' }}
    {%- for param_name, param_fields in tool.parameters.properties|items %}
        {{- param_name + ": " + json_to_python_type(param_fields) }}
        {%- if not loop.last %}
            {{- ", " }}
        {%- endif %}
    {%- endfor %}
    {{- ")" }}
    {%- if tool.return is defined %}
        {{- " -> " + json_to_python_type(tool.return) }}
    {%- endif %}
    {{- " - " + tool.description + "\\n\\n" }}
    {{- '"parameters": ' }}
    {{- tool.parameters|tojson }}
    {{- "}" }}
    {%- if not loop.last %}
        {{- "\\n" }}
    {%- endif %}
{%- endfor %}
{{- " </tools><|im_end|>\\n" }}
{%- for message in messages %}
    {%- if message.role == "user" or message.role == "system" or (message.role == "assistant" and message.tool_calls is not defined) %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
    {%- for tool_call in message.tool_calls %}
       {{- '\\n<tool_call>\\n' }}           {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '{' }}
            {{- '"name": "' }}
            {{- tool_call.name }}
            {{- '"' }}
            {{- ', '}}
            {%- if tool_call.arguments is defined %}
                {{- '"arguments": ' }}
                {%- if tool_call.arguments is string %}
                    {{- tool_call.arguments }}
                {%- else %}
                    {{- tool_call.arguments|tojson }}
                {%- endif %}
            {%- endif %}
             {{- '}' }}
            {{- '\\n</tool_call>' }}
    {%- endfor %}
        {{- '<|im_end|>\\n' }}
    {%- elif message.role == "tool" %}
        {%- if loop.previtem and loop.previtem.role != "tool" %}
            {{- '<|im_start|>tool\\n' }}
        {%- endif %}
        {{- '<tool_response>\\n' }}
        {{- message.content }}
        {%- if not loop.last %}
            {{- '\\n</tool_response>\\n' }}
        {%- else %}
            {{- '\\n</tool_response>' }}
        {%- endif %}
        {%- if not loop.last and loop.nextitem.role != "tool" %}
            {{- '<|im_end|>' }}
        {%- elif loop.last %}
            {{- '<|im_end|>' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}
"""
DEEPSEEK = """{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{% set ns = namespace(is_first=false, is_tool=false, is_output_first=true, system_prompt='') %}{%- for message in messages %}{%- if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}{%- endif %}{%- endfor %}{{bos_token}}{{ns.system_prompt}}{%- for message in messages %}{%- if message['role'] == 'user' %}{%- set ns.is_tool = false -%}{{'<｜User｜>' + message['content']}}{%- endif %}{%- if message['role'] == 'assistant' and message['content'] is not none %}{% set content = message['content'] %}{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}{{'<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>'}}{%- endif %}{%- endfor -%}{% if add_generation_prompt %}{{'<｜Assistant｜><think>\\n'}}{% endif %}"""
GEMMA = """{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}"""
MISTRAL = """{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content'] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}

{{- bos_token }}
{%- for message in loop_messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {%- if message['role'] == 'user' %}
        {%- if loop.first and system_message is defined %}
            {{- ' [INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' }}
        {%- else %}
            {{- ' [INST] ' + message['content'] + ' [/INST]' }}
        {%- endif %}
    {%- elif message['role'] == 'assistant' %}
        {{- ' ' + message['content'] + eos_token}}
    {%- else %}
        {{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') }}
    {%- endif %}
{%- endfor %}
"""
UM = [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "<think>hmm</think>Hi!"}, {"role": "user", "content": "Bye"}]
CASES += [
 ("ws_unicode_space_lstrip", "a\n\u3000 {% if true %}x{% endif %}", {}),
 ("ws_nbsp_lstrip", "a\n\u00a0{% if true %}x{% endif %}", {}),
 ("ws_var_end_strip_then_block", "{{ 'a' -}}\n   {% if true %}b{% endif %}", {}),
 ("ws_var_then_newline_block", "{{ 'a' }}\n   {% if true %}b{% endif %}\n   c", {}),
 ("ws_two_blocks_one_line", "  {% if true %}{% if true %}\nx\n  {% endif %}{% endif %}\ny", {}),
 ("ws_endif_minus_then_text", "{% if true %}a{% endif -%}\n\n   text", {}),
 ("ws_comment_then_block", "  {# c #}  {% if true %}x{% endif %}", {}),
 ("ws_block_end_only_one_newline", "{% for i in [1,2] %}\n\n{{ i }}\n{% endfor %}\n\nend", {}),
 ("ws_minus_both_sides_inline", "a {%- if true -%} b {%- endif -%} c", {}),
 ("ws_string_with_braces", "{{ '}}' }}{{ '{%' }}{{ \"%}\" }}", {}),
 ("ws_data_brace", "{ single } { {x} } {%raw%}{{{%endraw%}", {}),
 ("ws_tab_before_var_kept", "\t{{ 'v' }}\n\t{%- if true %}k{% endif %}", {}),
 ("ws_plus_var", "  {{+ 'v' }}", {}),
 ("ws_leading_newlines_kept", "\n\n{{ 'x' }}", {}),
 ("expr_precedence", "{{ 1 + 2 ~ 3 * 2 }} {{ not true or true }} {{ not (true or true) }} {{ 2 * 3 ** 2 }} {{ -3 ** 2 }} {{ 10 - 2 - 3 }} {{ 2 ** 2 ** 3 }} {{ 'a' ~ 1 + 2 }}", {}),
 ("expr_filter_binds_tight", "{{ 'a' + ' b '|trim + 'c' }} {{ -3|abs }} {{ [3,1]|sort|first + 1 }} {{ 'x' if 'ab'|length > 1 else 'y' }}", {}),
 ("expr_test_in_condition", "{{ 'y' if x is defined and x > 0 else 'n' }} {{ x is divisibleby 2 and true }}", {"x": 4}),
 ("expr_call_on_filter", "{{ ('a,b'|string).split(',') }} {{ (messages|first).content.upper() }}", {"messages": M}),
 ("expr_dotted_int", "{{ l.1 }} {{ t.0.0 }}", {"l": [5, 6], "t": [[7]]}),
 ("expr_nested_subscript_tuple_key", "{{ d[('a')] }}", {"d": {"a": 1}}),
 ("expr_list_trailing_comma", "{{ [1, 2,] }} {{ {'a': 1,} }} {{ (1, 2,) }}", {}),
 ("expr_string_escapes", "{{ '\\t|\\\\|\\'|\\x41|\\101|\\N' }}", {}),
 ("print_tuple", "{{ 1, 2 }}", {}),
 ("int_float_keys", "{{ {1: 'a'}[1] }} {{ {1: 'a'}[1.0] }} {{ {'1': 'b'}['1'] }}", {}),
 ("str_dict_repr_quotes", "{{ {'k': \"it's\", \"q\": 'say \"hi\"', 'b': 'both \\' \"'} }}", {}),
 ("str_repr_unicode", "{{ ['é', '日本', '\\x00', '\\u200b', '😀'] }}", {}),
 ("content_list_items", "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}{% for c in m.content %}{% if c.type == 'text' %}{{ c.text }}{% elif c.type == 'image' %}<image>{% endif %}{% endfor %}{% endif %}\n{% endfor %}", {"messages": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What is this?"}]}, {"role": "assistant", "content": "A cat."}]}),
 ("real_llama31_tools", LLAMA31, {"messages": [{"role": "system", "content": "  Sys  "}] + TOOL_MSGS, "tools": TOOLS, "bos_token": "<|begin_of_text|>", "add_generation_prompt": True}),
 ("real_llama31_no_tools", LLAMA31, {"messages": M, "tools": None, "bos_token": "<|begin_of_text|>", "add_generation_prompt": False}),
 ("real_hermes_tools", HERMES, {"messages": TOOL_MSGS, "tools": TOOLS, "bos_token": "<s>", "add_generation_prompt": True}),
 ("real_deepseek_r1", DEEPSEEK, {"messages": [{"role": "system", "content": "S."}] + UM, "bos_token": "<｜begin▁of▁sentence｜>", "add_generation_prompt": True}),
 ("real_gemma", GEMMA, {"messages": UM, "bos_token": "<bos>", "add_generation_prompt": True}),
 ("real_gemma_system_error", GEMMA, {"messages": M, "bos_token": "<bos>", "add_generation_prompt": True}),
 ("real_mistral", MISTRAL, {"messages": [{"role": "system", "content": "Sys"}] + UM, "bos_token": "<s>", "eos_token": "</s>"}),
 ("real_mistral_error", MISTRAL, {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}], "bos_token": "<s>", "eos_token": "</s>"}),
]
CASES += [
 ("unknown_filter_in_untaken_if", "{% if false %}{{ x|nofilter }}{% endif %}ok", {}),
 ("unknown_filter_in_untaken_condexpr", "{{ x|nofilter if false else 1 }} {{ 1 if true else x|nofilter }}", {}),
 ("unknown_filter_in_taken_if", "{% if true %}{{ 1|nofilter }}{% endif %}ok", {}),
 ("unknown_test_in_if_condition", "{% if x is notest %}{% endif %}", {}),
 ("unknown_filter_in_loop_inside_if", "{% if false %}{% for i in [1] %}{{ x|nofilter }}{% endfor %}{% endif %}ok", {}),
 ("unknown_filter_in_macro_inside_if", "{% if false %}{% macro m() %}{{ x|nofilter }}{% endmacro %}{% endif %}ok", {}),
]
CASES += [
 ("scope_macro_late_binding", "{% macro f() %}{{ x }}{% endmacro %}{% set x = 1 %}{{ f() }}{% set x = 2 %}{{ f() }}", {}),
 ("scope_macro_closure_not_caller", "{% set x = 1 %}{% macro f() %}{{ x }}{% endmacro %}{% for i in [1] %}{% set x = 5 %}{{ f() }}{% endfor %}", {}),
 ("scope_macro_in_loop", "{% for i in [1,2] %}{% macro f() %}{{ i }}{% endmacro %}{{ f() }}{% endfor %}", {}),
 ("scope_macro_local_set", "{% macro f() %}{% set x = 9 %}{{ x }}{% endmacro %}{% set x = 1 %}{{ f() }}{{ x }}", {}),
 ("scope_macro_namespace", "{% set ns = namespace(a=1) %}{% macro f() %}{% set ns.a = ns.a + 1 %}{% endmacro %}{{ f() }}{{ f() }}{{ ns.a }}", {}),
 ("scope_loop_vars_dont_leak", "{% for x in [1] %}{% set y = x %}{% endfor %}[{{ y }}][{{ x }}]", {}),
 ("scope_with", "{% set x = 1 %}{% with %}{% set x = 2 %}{{ x }}{% endwith %}{{ x }}", {}),
 ("scope_loop_target_shadows", "{% set x = 3 %}{% for x in [1,2] %}{{ x }}{% endfor %}{{ x }}", {}),
 ("scope_if_updates", "{% set x = 1 %}{% if true %}{% set x = x + 1 %}{% endif %}{{ x }}", {}),
 ("scope_nested_macro", "{% macro outer() %}{% macro inner() %}in{% endmacro %}{{ inner() }}{% endmacro %}{{ outer() }}", {}),
 ("macro_default_refers_param", "{% macro f(a, b=a) %}{{ b }}{% endmacro %}{{ f(4) }}", {}),
 ("sameas", "{% set a = [1,2] %}{% set b = a %}{{ a is sameas b }} {{ [1,2] is sameas [1,2] }}", {}),
 ("loop_outside", "[{{ loop }}]{% for a in [[1,2]] %}{% for b in a %}[{{ loop.parent }}]{% endfor %}{% endfor %}", {}),
 ("repeat_ops", "{{ 'a' * 3 }}{{ 3 * 'a' }}{{ true * 2 }}", {}),
 ("zero_div", "{{ 7 // 0 }}", {}),
 ("str_index", "{{ 'abc'[5] }}|{{ 'abc'[-1] }}|{{ 'abc'[1:] }}", {}),
 ("undefined_index", "{{ x[0] }}", {}),
 ("none_attr", "{{ none.x }}|{{ none[0] }}", {}),
]

CASES += [
 ("generation_own_scope", "{% set x = 0 %}{% generation %}{% set x = 1 %}{{ x }}{% endgeneration %}{{ x }}", {}),
 ("generation_no_loop_control", "{% for m in [1] %}{% generation %}{% break %}{% endgeneration %}{% endfor %}", {}),
]

CASES += [
 ("markup_concat_escapes", "{{ '<b>'|safe + '<i>' }}|{{ '<i>' + '<b>'|safe }}|{{ ('<b>'|safe) ~ '<i>' }}|{{ ('a'|e) + '<' }}", {}),
 ("markup_percent_and_methods", "{{ '<%s>'|safe % '<' }}|{{ ('<b>'|safe).replace('b', '<i>') }}|{{ ('a<b'|safe).split('<') }}|{{ ('x'|safe).startswith('x') }}", {}),
 ("markup_repr_and_filters", "{{ ['<a>'|safe, 'b'|e] }}|{{ ('<a>'|safe)|upper }}|{{ ('<a>'|e)|length }}|{{ '<a>'|e|e }}|{{ '<'|forceescape|forceescape }}|{{ ('<a>'|safe) == '<a>' }}|{{ ('<a>'|safe) is string }}", {}),
 ("markup_tojson_join", "{{ ('<a>'|safe)|tojson }}|{{ ['<a>'|safe, '<b>']|join('&') }}|{{ ', '.join(['<a>'|safe, 'b']) }}|{{ ('&'|safe).join(['<', 'x'|safe]) }}", {}),
 ("markup_undefined_none", "[{{ nothing|e }}][{{ none|e }}][{{ nothing|safe }}]", {}),
]

CASES += [
 ("g_cycler", "{% set c = cycler('odd', 'even', none) %}{% for i in range(4) %}{{ c.next() }},{% endfor %}[{{ c.current }}]{% set r = c.reset() %}{{ c.next() }}", {}),
]

CASES += [
 ("generator_always_truthy", "{% if []|select %}yes{% endif %}|{% if messages|selectattr('role', 'eq', 'tool') %}taken{% endif %}|{{ ([]|map('string')) is iterable }}{{ ([]|map('string')) is sequence }}", {"messages": M}),
 ("generator_single_pass", "{% set g = [1,2,3]|map('string') %}{% for x in g %}{{ x }}{% endfor %}|{% for x in g %}{{ x }}{% endfor %}|{% set h = [1,2,3]|select %}{{ 2 in h }}{{ h|list }}|{% set k = [1,2,3]|select %}{{ k|first }}{{ k|list }}", {}),
 ("generator_loop_length", "{% for x in [1,2,3]|select %}{{ loop.length }}{{ loop.last }}{% endfor %}|{{ [2,1]|select|sort }}{{ [1,2]|select|sum }}{{ [1,2]|reverse|first }}{{ (1,2)|reverse|list }}", {}),
 ("generator_no_len", "{{ messages|selectattr('role', 'eq', 'user')|length }}", {"messages": M}),
 ("generator_no_index", "{{ (messages|selectattr('role', 'eq', 'user'))[0] }}", {"messages": M}),
 ("generator_not_reversible", "{{ [1,2]|select|last }}", {}),
 ("sort_equal_keys_never_compared", "{{ [none, none]|sort }}|{{ [a, b]|sort }}", {}),
 ("split_whitespace_maxsplit_keeps_rest", "{{ ' 1 2 3 '.split(none, 1) }}{{ ' 1 2 3 '.rsplit(none, 1) }}{{ ' 1 2 3 '.split(none, 0) }}", {}),
 ("undefined_is_callable", "{{ nothing is callable }}", {}),
]

CASES += [
 ("scope_block_bodies", "{% set y = 1 %}{% set x %}{% set y = 2 %}{{ y }}{% endset %}{{ x }}{{ y }}|{% filter upper %}{% set y = 3 %}{{ y }}{% endfilter %}{{ y }}|{% set ns = namespace(v=1) %}{% set z %}{% set ns.v = 5 %}{% endset %}{{ ns.v }}", {}),
]

CASES += [
 ("macro_too_many_args", "{% macro f(a) %}{{a}}{% endmacro %}{{ f(1, 2) }}", {}),
 ("macro_unknown_kwarg", "{% macro f(a) %}{{a}}{% endmacro %}{{ f(1, a=2) }}", {}),
 ("macro_kwargs_catch", "{% macro f(a) %}{{a}}{{ kwargs }}{% endmacro %}{{ f(1, a=2) }}", {}),
 ("macro_caller_not_used", "{% macro f() %}x{% endmacro %}{% call f() %}y{% endcall %}", {}),
 ("macro_caller_in_kwargs", "{% macro f() %}x{{ kwargs }}{% endmacro %}{% call f() %}y{% endcall %}", {}),
 ("macro_no_caller", "{% macro f() %}[{{ caller() }}]{% endmacro %}{{ f() }}", {}),
 ("macro_no_caller_defined_test", "{% macro f() %}{{ caller is defined }}{% endmacro %}{{ f() }}", {}),
 ("macro_nested_varargs_counts", "{% macro f() %}{% macro g() %}{{ varargs }}{% endmacro %}{% endmacro %}{{ f(1) }}ok", {}),
 ("macro_caller_too_many_args", "{% macro f() %}[{{ caller(1, 2) }}]{% endmacro %}{% call(x) f() %}{{ x }}{% endcall %}", {}),
 ("macro_caller_param_needs_default", "{% macro f(caller) %}{{ caller }}{% endmacro %}{{ f(5) }}", {}),
 ("macro_repr", "{% macro f() %}{% endmacro %}{{ f }}", {}),
]

CASES += [
 ("dict_views", "{{ d.items() }}|{{ d.keys() }}|{{ d.values() }}|{{ d.keys()|list }}|{{ d.items()|length }}|{{ d.keys()[0] }}|{{ 'a' in d.keys() }}|{{ d.keys() is sequence }}|{{ d.keys() is iterable }}|{{ d.keys() == d.keys() }}|{{ d.values() == d.values() }}|{% if {}.items() %}t{% else %}f{% endif %}|{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}|{{ d.items()|first }}|{{ d.keys()|last }}|{{ d.keys()|sort }}", {"d": {"a": 1, "b": None}}),
 ("dict_view_not_json", "{{ d.items()|tojson }}", {"d": {"a": 1}}),
 ("dict_view_not_sliceable", "{{ d.keys()[:1] }}", {"d": {"a": 1}}),
]

CASES += [
 ("range_objects", "{{ range(3) }}|{{ range(1, 10, 3) }}|{{ range(10)[2:5] }}|{{ range(10)[::-1] }}|{{ range(5)[-1] }}|{{ range(5)[9] }}|{{ 3 in range(5) }}|{{ range(3)|list }}|{{ range(4)|length }}|{{ range(0) is sequence }}|{% if range(0) %}t{% else %}f{% endif %}|{{ range(3) == range(3) }}|{{ range(3)|reverse|list }}|{{ range(3)|last }}|{{ range(3)|sum }}", {}),
 ("range_not_json", "{{ range(3)|tojson }}", {}),
]

if __name__ == "__main__":
    out = open(sys.argv[1], "w", encoding="utf-8")
    for name, tpl, ctx in CASES:
        rec = {"name": name, "template": tpl, "context": ctx}
        try:
            rec["expected"] = env.from_string(tpl).render(**ctx)
        except Exception as e:
            rec["error_type"] = type(e).__name__
            rec["error"] = str(e)
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(jinja2.__version__, len(CASES))
