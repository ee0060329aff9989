package dev.tune4j.examples.embedded;

/**
 * The Alpaca prompt without its preamble, as the quickstart formats instructions:
 * {@code "### Instruction:\n" + instruction + "\n\n### Response:\n"}.
 */
public final class AlpacaPrompt {
    private AlpacaPrompt() {}

    /** The prompt for an instruction and an optional input (empty for none). */
    public static String format(String instruction, String input) {
        String body = input == null || input.isEmpty() ? instruction : instruction + "\n" + input;
        return "### Instruction:\n" + body + "\n\n### Response:\n";
    }
}
