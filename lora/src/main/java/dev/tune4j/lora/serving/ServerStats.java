package dev.tune4j.lora.serving;

import java.util.List;

/**
 * A snapshot of a {@link LoraServer}'s state.
 *
 * @param running          sequences in the running batch
 * @param waiting          requests queued, not yet admitted
 * @param residentLoras    adapters whose weights are loaded, least recently used first
 * @param registeredLoras  adapters the server can serve (loaded or reloadable from their folder)
 * @param steps            batched decoding steps run so far
 * @param generatedTokens  tokens generated so far over all requests
 * @param completed        requests completed normally so far
 * @param failed           requests failed (bad adapter, invalid input, callback error) so far
 */
public record ServerStats(int running, int waiting, List<String> residentLoras, List<String> registeredLoras,
        long steps, long generatedTokens, long completed, long failed) {}
