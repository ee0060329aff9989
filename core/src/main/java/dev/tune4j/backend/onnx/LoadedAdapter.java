package dev.tune4j.backend.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoraAdapter;
import ai.onnxruntime.OrtSession;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One adapter held by ONNX Runtime, with the run options that activate it. Runs hold a read lease
 * while ORT reads the adapter; deleting takes the write lock, so native memory is never freed
 * under a run, and a run after the delete gets a clear error instead.
 */
final class LoadedAdapter implements AutoCloseable {
    private final String name;
    private final OrtLoraAdapter adapter;
    private final OrtSession.RunOptions options;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private LoadedAdapter(String name, OrtLoraAdapter adapter, OrtSession.RunOptions options) {
        this.name = name;
        this.adapter = adapter;
        this.options = options;
    }

    /** ORT parses (and verifies) the flatbuffer itself here. */
    static LoadedAdapter create(String name, byte[] bytes, String source) {
        OrtLoraAdapter adapter = null;
        try {
            adapter = OrtLoraAdapter.create(bytes);
            OrtSession.RunOptions options = new OrtSession.RunOptions();
            options.addActiveLoraAdapter(adapter);
            return new LoadedAdapter(name, adapter, options);
        } catch (OrtException e) {
            if (adapter != null) {
                adapter.close();
            }
            throw new IllegalArgumentException(source + ": onnxruntime rejected the adapter: " + e.getMessage(), e);
        }
    }

    String name() {
        return name;
    }

    /** What a run of the graph holds while ORT uses the adapter; null options mean the base model. */
    interface Lease extends AutoCloseable {
        OrtSession.RunOptions options();

        @Override
        void close();
    }

    private static final Lease BASE = new Lease() {
        @Override
        public OrtSession.RunOptions options() {
            return null;
        }

        @Override
        public void close() {}
    };

    /** A lease on {@code a}, or on the base model when {@code a} is null. */
    static Lease lease(LoadedAdapter a) {
        if (a == null) {
            return BASE;
        }
        a.lock.readLock().lock();
        if (a.closed) {
            a.lock.readLock().unlock();
            throw new IllegalStateException("LoRA adapter '" + a.name + "' was deleted");
        }
        return new Lease() {
            @Override
            public OrtSession.RunOptions options() {
                return a.options;
            }

            @Override
            public void close() {
                a.lock.readLock().unlock();
            }
        };
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                options.close();
                adapter.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
