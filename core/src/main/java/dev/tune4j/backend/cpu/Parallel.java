package dev.tune4j.backend.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Data-parallel loops over a fixed pool of daemon threads, sized to the machine's cores.
 *
 * <p>{@link #forRange(int, IntRangeConsumer)} cuts {@code [0, n)} into contiguous chunks; the
 * calling thread works on them too, helped by the pool, so {@link #parallelism()} threads are busy
 * (the pool holds {@code parallelism() - 1} workers besides the caller). Chunks are claimed from a
 * shared counter, so a caller never waits for a queue that other callers have filled: when the
 * workers are busy it simply runs the chunks itself. A call made from inside a worker (nested
 * parallelism) runs inline, which is what keeps nested use free of deadlocks. Safe to call from
 * several threads at once.
 *
 * <p>The thread count is {@code Runtime.availableProcessors()}, or the system property
 * {@code tune4j.threads} when set (like {@code torch.set_num_threads}).
 *
 * <pre>{@code
 * Parallel.forRange(rows, (start, end) -> {
 *     for (int r = start; r < end; r++) normaliseRow(r);
 * });
 * }</pre>
 */
public final class Parallel {
    private static final int PARALLELISM = Math.max(1,
            Integer.getInteger("tune4j.threads", Runtime.getRuntime().availableProcessors()));
    /**
     * How long an idle worker (or a caller waiting for the last chunk) keeps polling before it
     * parks. A decode step hands out a loop every few tens of microseconds, and waking a parked
     * thread costs about as much as one of those loops, so threads stay awake across the gaps.
     */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** Lock-free, so a spinning worker's polls never contend with the caller's offers. */
    private static final ConcurrentLinkedQueue<Runnable> QUEUE = new ConcurrentLinkedQueue<>();
    private static final Worker[] WORKERS;
    /** Chunks per thread in a loop: enough to rebalance when a core is busy elsewhere. */
    public static final int CHUNKS_PER_THREAD = 4;

    static {
        WORKERS = new Worker[PARALLELISM - 1];
        for (int i = 1; i < PARALLELISM; i++) {
            WORKERS[i - 1] = new Worker(i);
            WORKERS[i - 1].start();
        }
    }

    /** Queues a task and wakes a parked worker for it, if any is parked. */
    private static void offer(Runnable task) {
        QUEUE.add(task);
        for (Worker w : WORKERS) {
            if (w.parked && w.wake()) {
                return;
            }
        }
    }

    private Parallel() {}

    /** The number of threads a parallel loop runs on (the caller included). */
    public static int parallelism() {
        return PARALLELISM;
    }

    /**
     * True when the pool's threads may read {@code segment}: false for memory of a confined
     * arena, which only its owner thread may touch; callers then run their loop inline.
     */
    public static boolean workersCanAccess(java.lang.foreign.MemorySegment segment) {
        return WORKERS.length == 0 || segment.isAccessibleBy(WORKERS[0]);
    }

    /** True when the current thread is one of the pool's workers. */
    public static boolean onWorker() {
        return Thread.currentThread() instanceof Worker;
    }

    /** Runs {@code body} over {@code [0, n)}; see {@link #forRange(int, int, IntRangeConsumer)}. */
    public static void forRange(int n, IntRangeConsumer body) {
        forRange(n, 1, body);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous chunks of at least
     * {@code minChunk} indices, up to {@link #CHUNKS_PER_THREAD} per thread: threads claim chunks
     * as they get to them, so one held up by other work on the machine leaves its share to the
     * rest. Ranges shorter than two chunks run inline on the caller. Returns when every chunk is
     * done; the first exception a chunk throws is rethrown here.
     */
    public static void forRange(int n, int minChunk, IntRangeConsumer body) {
        forRange(n, minChunk, PARALLELISM * CHUNKS_PER_THREAD, body);
    }

    /** As {@link #forRange(int, int, IntRangeConsumer)} with at most {@code maxChunks} chunks. */
    static void forRange(int n, int minChunk, int maxChunks, IntRangeConsumer body) {
        if (n <= 0) {
            return;
        }
        int chunks = (int) Math.min(Math.max(1, maxChunks), n / (long) Math.max(1, minChunk));
        if (chunks <= 1 || PARALLELISM == 1 || onWorker()) {
            body.accept(0, n);
            return;
        }
        new Job(n, chunks, body).start();
    }

    /** One parallel loop: chunk {@code c} covers {@code [c * n / chunks, (c + 1) * n / chunks)}. */
    private static final class Job {
        private final int n;
        private final int chunks;
        private final IntRangeConsumer body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger remaining;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread owner = Thread.currentThread();
        private volatile boolean callerParked;

        Job(int n, int chunks, IntRangeConsumer body) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
            this.remaining = new AtomicInteger(chunks);
        }

        void run(boolean caller) {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    if (failure.get() == null) {
                        body.accept((int) ((long) c * n / chunks), (int) ((long) (c + 1) * n / chunks));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (remaining.decrementAndGet() == 0 && callerParked) {
                        LockSupport.unpark(owner);
                    }
                }
            }
            if (caller) {
                awaitUninterruptibly();
                Throwable t = failure.get();
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                if (t != null) {
                    throw new IllegalStateException(t);
                }
            }
        }

        void start() {
            for (int i = 1; i < Math.min(chunks, PARALLELISM); i++) {
                offer(this::runAsHelper);
            }
            run(true);
        }

        private void runAsHelper() {
            run(false);
        }

        /** Spins while the helpers finish their last chunks, then parks until the last one ends. */
        private void awaitUninterruptibly() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (remaining.get() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            if (remaining.get() == 0) {
                return;
            }
            callerParked = true;
            while (remaining.get() > 0) {
                LockSupport.park(this);
            }
        }
    }

    /** A pool thread: polls for a while, then parks until {@link #offer} wakes it. */
    private static final class Worker extends Thread {
        volatile boolean parked;
        private final AtomicInteger wakeups = new AtomicInteger();

        Worker(int index) {
            super("tune4j-cpu-" + index);
            setDaemon(true);
        }

        /** Unparks this worker if it is parked and nobody woke it yet; true when this call did. */
        boolean wake() {
            if (wakeups.compareAndSet(0, 1)) {
                LockSupport.unpark(this);
                return true;
            }
            return false;
        }

        @Override
        public void run() {
            while (true) {
                Runnable task = QUEUE.poll();
                if (task == null) {
                    long deadline = System.nanoTime() + SPIN_NANOS;
                    while (task == null && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                        task = QUEUE.poll();
                    }
                }
                if (task == null) {
                    // Announce the park before the last look, so an offer made meanwhile either
                    // is seen here or sees the flag and unparks.
                    wakeups.set(0);
                    parked = true;
                    task = QUEUE.poll();
                    if (task == null) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    Thread.interrupted(); // an interrupt is not a shutdown request for daemon pool threads
                    if (task == null) {
                        continue;
                    }
                }
                try {
                    task.run();
                } catch (Throwable t) {
                    // Job.run records body failures itself; nothing else may kill a pool thread.
                }
            }
        }
    }
}
