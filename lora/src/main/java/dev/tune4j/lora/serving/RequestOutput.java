package dev.tune4j.lora.serving;

import java.util.Optional;

/**
 * The result of one request (vLLM's {@code RequestOutput} with its single {@code CompletionOutput}).
 *
 * @param requestId      the server's id of the request, increasing from 1
 * @param loraName       the adapter that served it, {@code null} for the base model
 * @param promptTokenIds the prompt as fed to the model (chat template applied)
 * @param tokenIds       the generated tokens, an eos token included when it ended the sequence
 * @param text           the generated tokens decoded without special tokens, when the server has a tokenizer
 * @param finishReason   why generation stopped
 */
public record RequestOutput(long requestId, String loraName, int[] promptTokenIds, int[] tokenIds,
        Optional<String> text, FinishReason finishReason) {}
