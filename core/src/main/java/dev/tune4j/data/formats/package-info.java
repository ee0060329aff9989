/**
 * Dataset record layouts (alpaca, sharegpt, OpenAI messages, prompt/completion, plain text) and
 * their conversion to chat messages or prompt/completion pairs.
 */
package dev.tune4j.data.formats;
