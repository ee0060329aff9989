package dev.tune4j.lora.serving;

/** A request named an adapter that the {@link LoraServer} does not know (HTTP 404). */
public final class UnknownLoraException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String loraName;

    public UnknownLoraException(String loraName, java.util.Collection<String> known) {
        super("The model `" + loraName + "` does not exist: no LoRA adapter of that name is loaded; loaded: " + known);
        this.loraName = loraName;
    }

    /** The name that was asked for. */
    public String loraName() {
        return loraName;
    }
}
