package dev.tune4j.autograd;

/**
 * Whether ops record themselves on the tape, per thread: torch's {@code no_grad} and
 * {@code enable_grad}. Recording also needs an input that requires a gradient, so inference over
 * frozen weights records nothing.
 *
 * <pre>{@code
 * try (var off = GradMode.noGrad()) { model.forward(ids, null, null); }   // torch.no_grad()
 * }</pre>
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Turns recording off until the returned scope closes. */
    public static Scope noGrad() {
        return set(false);
    }

    /** Turns recording on until the returned scope closes. */
    public static Scope enableGrad() {
        return set(true);
    }

    private static Scope set(boolean on) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = on;
        return () -> flag[0] = previous;
    }

    /** Restores the previous mode on close. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
