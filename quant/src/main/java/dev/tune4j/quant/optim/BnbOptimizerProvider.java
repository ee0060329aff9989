package dev.tune4j.quant.optim;

import dev.tune4j.train.Optimizer;
import dev.tune4j.train.OptimizerProvider;
import dev.tune4j.train.ParamGroup;
import dev.tune4j.train.TrainingArguments;
import java.util.List;
import java.util.Optional;

/**
 * Gives the Trainer bitsandbytes' 8-bit AdamW for transformers' {@code optim} names
 * {@code adamw_8bit}, {@code adamw_bnb_8bit} and {@code paged_adamw_8bit} (paging is a CUDA
 * feature; on the CPU the paged variant is the same optimizer, as in bitsandbytes).
 */
public final class BnbOptimizerProvider implements OptimizerProvider {
    @Override
    public Optional<Optimizer> create(String optim, List<ParamGroup> groups, TrainingArguments args) {
        return switch (optim) {
            case "adamw_8bit", "adamw_bnb_8bit", "paged_adamw_8bit" ->
                    Optional.of(new AdamW8bit(groups, args.adamBeta1(), args.adamBeta2(), args.adamEpsilon()));
            default -> Optional.empty();
        };
    }
}
