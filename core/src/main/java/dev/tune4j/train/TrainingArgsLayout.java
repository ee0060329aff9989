package dev.tune4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of transformers 4.45 {@code TrainingArguments.to_dict()} in their order, and the
 * defaults of the keys tune4j does not model (written back unchanged so that a
 * {@code training_args.json} keeps the shape Python tools expect).
 */
final class TrainingArgsLayout {
    private TrainingArgsLayout() {}

    /** Marks a key whose value comes from a modelled field or is derived from one. */
    static final Object MODELLED = new Object();

    /** Key → default (or {@link #MODELLED}), in transformers' field order. */
    static final Map<String, Object> KEYS;

    static {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output_dir", MODELLED);
        m.put("overwrite_output_dir", MODELLED);
        m.put("do_train", false);
        m.put("do_eval", MODELLED);
        m.put("do_predict", false);
        m.put("eval_strategy", MODELLED);
        m.put("prediction_loss_only", false);
        m.put("per_device_train_batch_size", MODELLED);
        m.put("per_device_eval_batch_size", MODELLED);
        m.put("per_gpu_train_batch_size", null);
        m.put("per_gpu_eval_batch_size", null);
        m.put("gradient_accumulation_steps", MODELLED);
        m.put("eval_accumulation_steps", null);
        m.put("eval_delay", 0);
        m.put("torch_empty_cache_steps", null);
        m.put("learning_rate", MODELLED);
        m.put("weight_decay", MODELLED);
        m.put("adam_beta1", MODELLED);
        m.put("adam_beta2", MODELLED);
        m.put("adam_epsilon", MODELLED);
        m.put("max_grad_norm", MODELLED);
        m.put("num_train_epochs", MODELLED);
        m.put("max_steps", MODELLED);
        m.put("lr_scheduler_type", MODELLED);
        m.put("lr_scheduler_kwargs", MODELLED);
        m.put("warmup_ratio", MODELLED);
        m.put("warmup_steps", MODELLED);
        m.put("log_level", "passive");
        m.put("log_level_replica", "warning");
        m.put("log_on_each_node", true);
        m.put("logging_dir", MODELLED);
        m.put("logging_strategy", MODELLED);
        m.put("logging_first_step", MODELLED);
        m.put("logging_steps", MODELLED);
        m.put("logging_nan_inf_filter", true);
        m.put("save_strategy", MODELLED);
        m.put("save_steps", MODELLED);
        m.put("save_total_limit", MODELLED);
        m.put("save_safetensors", true);
        m.put("save_on_each_node", false);
        m.put("save_only_model", false);
        m.put("restore_callback_states_from_checkpoint", false);
        m.put("no_cuda", false);
        m.put("use_cpu", false);
        m.put("use_mps_device", false);
        m.put("seed", MODELLED);
        m.put("data_seed", MODELLED);
        m.put("jit_mode_eval", false);
        m.put("use_ipex", false);
        m.put("bf16", false);
        m.put("fp16", false);
        m.put("fp16_opt_level", "O1");
        m.put("half_precision_backend", "auto");
        m.put("bf16_full_eval", false);
        m.put("fp16_full_eval", false);
        m.put("tf32", null);
        m.put("local_rank", 0);
        m.put("ddp_backend", null);
        m.put("tpu_num_cores", null);
        m.put("tpu_metrics_debug", false);
        m.put("debug", List.of());
        m.put("dataloader_drop_last", MODELLED);
        m.put("eval_steps", MODELLED);
        m.put("dataloader_num_workers", 0);
        // 4.45 defaults this to 2 only with torch < 2.0
        m.put("dataloader_prefetch_factor", null);
        m.put("past_index", -1);
        m.put("run_name", MODELLED);
        m.put("disable_tqdm", false);
        m.put("remove_unused_columns", true);
        m.put("label_names", null);
        m.put("load_best_model_at_end", MODELLED);
        m.put("metric_for_best_model", MODELLED);
        m.put("greater_is_better", MODELLED);
        m.put("ignore_data_skip", false);
        m.put("fsdp", List.of());
        m.put("fsdp_min_num_params", 0);
        Map<String, Object> fsdp = new LinkedHashMap<>();
        fsdp.put("min_num_params", 0);
        fsdp.put("xla", false);
        fsdp.put("xla_fsdp_v2", false);
        fsdp.put("xla_fsdp_grad_ckpt", false);
        m.put("fsdp_config", Collections.unmodifiableMap(fsdp));
        m.put("fsdp_transformer_layer_cls_to_wrap", null);
        Map<String, Object> acc = new LinkedHashMap<>();
        acc.put("split_batches", false);
        acc.put("dispatch_batches", null);
        acc.put("even_batches", true);
        acc.put("use_seedable_sampler", true);
        acc.put("non_blocking", false);
        acc.put("gradient_accumulation_kwargs", null);
        m.put("accelerator_config", Collections.unmodifiableMap(acc));
        m.put("deepspeed", null);
        m.put("label_smoothing_factor", 0.0);
        m.put("optim", MODELLED);
        m.put("optim_args", null);
        m.put("adafactor", false);
        m.put("group_by_length", false);
        m.put("length_column_name", "length");
        m.put("report_to", MODELLED);
        m.put("ddp_find_unused_parameters", null);
        m.put("ddp_bucket_cap_mb", null);
        m.put("ddp_broadcast_buffers", null);
        m.put("dataloader_pin_memory", MODELLED);
        m.put("dataloader_persistent_workers", false);
        m.put("skip_memory_metrics", true);
        m.put("use_legacy_prediction_loop", false);
        m.put("push_to_hub", false);
        m.put("resume_from_checkpoint", null);
        m.put("hub_model_id", null);
        m.put("hub_strategy", "every_save");
        // to_dict() masks every *_token field this way, set or not
        m.put("hub_token", "<HUB_TOKEN>");
        m.put("hub_private_repo", false);
        m.put("hub_always_push", false);
        m.put("gradient_checkpointing", MODELLED);
        m.put("gradient_checkpointing_kwargs", MODELLED);
        m.put("include_inputs_for_metrics", false);
        m.put("eval_do_concat_batches", true);
        m.put("fp16_backend", "auto");
        m.put("evaluation_strategy", null);
        m.put("push_to_hub_model_id", null);
        m.put("push_to_hub_organization", null);
        m.put("push_to_hub_token", "<PUSH_TO_HUB_TOKEN>");
        m.put("mp_parameters", "");
        m.put("auto_find_batch_size", false);
        m.put("full_determinism", false);
        m.put("torchdynamo", null);
        m.put("ray_scope", "last");
        m.put("ddp_timeout", 1800);
        m.put("torch_compile", false);
        m.put("torch_compile_backend", null);
        m.put("torch_compile_mode", null);
        m.put("dispatch_batches", null);
        m.put("split_batches", null);
        m.put("include_tokens_per_second", false);
        m.put("include_num_input_tokens_seen", false);
        m.put("neftune_noise_alpha", null);
        m.put("optim_target_modules", null);
        m.put("batch_eval_metrics", false);
        m.put("eval_on_start", false);
        m.put("use_liger_kernel", false);
        m.put("eval_use_gather_object", false);
        KEYS = Collections.unmodifiableMap(m);
    }

    /** The optimizer names transformers 4.45 accepts in {@code optim}. */
    static final List<String> OPTIMIZERS = Collections.unmodifiableList(new ArrayList<>(List.of(
            "adamw_hf", "adamw_torch", "adamw_torch_fused", "adamw_torch_xla", "adamw_torch_npu_fused",
            "adamw_apex_fused", "adafactor", "adamw_anyprecision", "sgd", "adagrad", "adamw_bnb_8bit",
            "adamw_8bit", "lion_8bit", "lion_32bit", "paged_adamw_32bit", "paged_adamw_8bit",
            "paged_lion_32bit", "paged_lion_8bit", "rmsprop", "rmsprop_bnb", "rmsprop_bnb_8bit",
            "rmsprop_bnb_32bit", "galore_adamw", "galore_adamw_8bit", "galore_adafactor",
            "galore_adamw_layerwise", "galore_adamw_8bit_layerwise", "galore_adafactor_layerwise", "lomo",
            "adalomo", "grokadamw", "schedule_free_adamw", "schedule_free_sgd")));

    /** {@code IntervalStrategy} values, used by eval, logging and save strategies in 4.45. */
    static final List<String> STRATEGIES = List.of("no", "steps", "epoch");
}
