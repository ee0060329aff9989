package dev.tune4j.benchmarks.model;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The largest heap still in use right after a garbage collection, over a run: a measure of the
 * live set that does not depend on how far the collector lets the heap grow (RSS does).
 */
public final class LiveHeap {
    private static final AtomicLong PEAK = new AtomicLong();
    private static volatile boolean installed;

    private LiveHeap() {}

    /** Starts listening to collections (idempotent) and resets the peak. */
    public static synchronized void reset() {
        if (!installed) {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener((n, h) -> {
                        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                            var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                            long used = 0;
                            for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
                                used += u.getUsed();
                            }
                            PEAK.accumulateAndGet(used, Math::max);
                        }
                    }, null, null);
                }
            }
            installed = true;
        }
        PEAK.set(0);
    }

    /** Peak heap in use after a collection since {@link #reset()}, in GB. */
    public static double peakGb() {
        return PEAK.get() / 1e9;
    }
}
