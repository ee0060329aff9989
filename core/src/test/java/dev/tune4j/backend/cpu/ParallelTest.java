package dev.tune4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {
    /** Every index of [0, n) visited exactly once, with chunks contiguous and in range. */
    private static void coversOnce(int n, int minChunk) {
        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
        Parallel.forRange(n, minChunk, (s, e) -> {
            assertTrue(0 <= s && s < e && e <= n, "chunk [" + s + ", " + e + ") of " + n);
            for (int i = s; i < e; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, hits.get(i), "index " + i + " of " + n);
        }
    }

    @Test
    void everyIndexOnce() {
        for (int n : new int[] {0, 1, 2, 3, 7, 100, 10_001}) {
            for (int minChunk : new int[] {1, 3, 64, 1 << 20}) {
                coversOnce(n, minChunk);
            }
        }
    }

    @Test
    void tinyRangesRunInlineOnTheCaller() {
        Thread caller = Thread.currentThread();
        Parallel.forRange(10, 100, (s, e) -> {
            assertSame(caller, Thread.currentThread());
            assertEquals(0, s);
            assertEquals(10, e);
        });
    }

    @Test
    void nestedLoopsDoNotDeadlock() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            AtomicLong sum = new AtomicLong();
            Parallel.forRange(64, (s, e) -> {
                for (int i = s; i < e; i++) {
                    int outer = i;
                    Parallel.forRange(1000, (s2, e2) -> {
                        for (int j = s2; j < e2; j++) {
                            sum.addAndGet(outer * 1000L + j);
                        }
                    });
                }
            });
            long n = 64_000;
            assertEquals(n * (n - 1) / 2, sum.get());
        });
    }

    @Test
    void concurrentCallersAllFinishWithTheirOwnResults() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            List<Thread> threads = new ArrayList<>();
            AtomicLong failures = new AtomicLong();
            for (int t = 0; t < 4; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    for (int round = 0; round < 200; round++) {
                        int n = 100 + id * 37 + round;
                        AtomicLong sum = new AtomicLong();
                        Parallel.forRange(n, (s, e) -> {
                            for (int i = s; i < e; i++) {
                                sum.addAndGet(i);
                            }
                        });
                        if (sum.get() != (long) n * (n - 1) / 2) {
                            failures.incrementAndGet();
                        }
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            assertEquals(0, failures.get());
        });
    }

    @Test
    void aFailingChunkRethrowsOnTheCaller() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Parallel.forRange(1000, (s, e) -> {
            if (e == 1000) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        coversOnce(1000, 1); // the pool still works afterwards
    }

    @Test
    void poolMatchesTheCores() {
        int expected = Integer.getInteger("tune4j.threads", Runtime.getRuntime().availableProcessors());
        assertEquals(Math.max(1, expected), Parallel.parallelism());
    }
}
