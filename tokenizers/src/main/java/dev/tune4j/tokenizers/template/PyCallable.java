package dev.tune4j.tokenizers.template;

import java.util.List;
import java.util.Map;

/** Something a template can call: a global function, a bound string/dict method, a macro. */
@FunctionalInterface
interface PyCallable {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
