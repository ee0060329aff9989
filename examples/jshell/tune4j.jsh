// tune4j JShell start-up: the imports a session needs, and the embedded default ready to use.
// Opened by the command in examples/README.md ("JShell").
import java.nio.file.*;
import java.util.*;
import dev.tune4j.models.*;
import dev.tune4j.generation.*;
import dev.tune4j.tokenizers.*;
import dev.tune4j.data.*;
import dev.tune4j.train.*;
import dev.tune4j.lora.*;
import dev.tune4j.examples.embedded.*;
import dev.tune4j.examples.support.*;

// The embedded default, extracted to a folder that from_pretrained can read.
Path tiny = EmbeddedModel.extract(Path.of("target", "jshell", "tiny-llama"));

// ask(model, tok, "Reverse the digits 1 2 3"): greedy answer to an Alpaca-format instruction.
String ask(CausalLM model, PretrainedTokenizer tok, String instruction) {
    var greedy = model.generationConfig().toBuilder().maxNewTokens(12).doSample(false).build();
    return ExactMatch.generate(model, tok, AlpacaPrompt.format(instruction, ""), greedy);
}

// alpaca(tok): the embedded instruction dataset as input_ids/labels, loss on the answers only.
Dataset alpaca(PretrainedTokenizer tok) {
    return Dataset.fromList(EmbeddedModel.alpacaRows()).map(r -> ChatTokenization.promptCompletion(tok,
            AlpacaPrompt.format((String) r.get("instruction"), ""), (String) r.get("output"), 64, true, true).toFeatures())
        .removeColumns("instruction", "input", "output");
}

System.out.println("tune4j ready: `tiny` is the embedded model folder; try ask(model, tok, \"用中文数字写 7\")");
