package dev.callgate.adapter.cache;

/**
 * What the caches did since they started: reads answered from memory ({@code hits}), reads that
 * went to the store ({@code misses}), and reads answered from memory because the store was down
 * ({@code servedStale}, counted among the misses too).
 */
public record CacheStatistics(long hits, long misses, long servedStale) {}
