package dev.tune4j.tokenizers.template;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** jinja2's built-in tests ({@code x is defined}, {@code x is string}, ...), with jinja2's definitions. */
final class Tests {
    private Tests() {}

    private static final Set<String> NAMES = Set.of("boolean", "callable", "defined", "divisibleby", "eq", "equalto",
            "==", "escaped", "even", "false", "filter", "float", "ge", ">=", "gt", ">", "greaterthan", "in", "integer",
            "iterable", "le", "<=", "lower", "lt", "<", "lessthan", "mapping", "ne", "!=", "none", "number", "odd",
            "sameas", "sequence", "string", "test", "true", "undefined", "upper");

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    private static Object arg(String name, List<Object> args, int i) {
        if (args.size() <= i) {
            throw new TemplateException("TypeError: test '" + name + "' missing a required argument");
        }
        return args.get(i);
    }

    static boolean apply(Interpreter in, String name, Object v, List<Object> args, Map<String, Object> kwargs) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "string" -> v instanceof String || v instanceof Markup;
            case "number" -> Py.isNumber(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "mapping" -> v instanceof Map;
            case "iterable" -> v instanceof String || v instanceof Markup || v instanceof List || v instanceof PyTuple || v instanceof Map
                    || v instanceof Undefined || v instanceof PyIterator || v instanceof PyView || v instanceof PyRange;
            case "sequence" -> v instanceof String || v instanceof Markup || v instanceof List || v instanceof PyTuple || v instanceof Map
                    || v instanceof Undefined || v instanceof PyRange;
            case "callable" -> v instanceof PyCallable || v instanceof Macro || v instanceof Undefined
                    || v instanceof LoopContext;
            case "escaped" -> false;
            case "odd" -> Py.eq(Py.binary("%", v, 2L), 1L);
            case "even" -> Py.eq(Py.binary("%", v, 2L), 0L);
            case "divisibleby" -> {
                Object d = arg(name, args, 0);
                yield Py.eq(Py.binary("%", v, d), 0L);
            }
            case "eq", "equalto", "==" -> Py.eq(v, arg(name, args, 0));
            case "ne", "!=" -> !Py.eq(v, arg(name, args, 0));
            case "lt", "lessthan", "<" -> Py.compare(v, arg(name, args, 0), "<") < 0;
            case "le", "<=" -> Py.compare(v, arg(name, args, 0), "<=") <= 0;
            case "gt", "greaterthan", ">" -> Py.compare(v, arg(name, args, 0), ">") > 0;
            case "ge", ">=" -> Py.compare(v, arg(name, args, 0), ">=") >= 0;
            case "in" -> Py.contains(arg(name, args, 0), v);
            case "sameas" -> {
                Object o = arg(name, args, 0);
                yield v == o || (v instanceof Boolean && v.equals(o));
            }
            case "lower" -> {
                String s = Py.str(v);
                yield s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
            }
            case "upper" -> {
                String s = Py.str(v);
                yield s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
            }
            case "filter" -> Py.text(v) != null && Filters.exists(Py.text(v));
            case "test" -> Py.text(v) != null && exists(Py.text(v));
            default -> throw new TemplateException("No test named '" + name + "' found.");
        };
    }
}
