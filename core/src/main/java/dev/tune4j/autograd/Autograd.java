package dev.tune4j.autograd;

import dev.tune4j.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backward engine: walks the tape from a scalar back to the leaves in reverse topological
 * order, sums gradients where a tensor fed several ops, and releases each node right after its
 * backward so activations are freed as the walk proceeds.
 */
public final class Autograd {
    private Autograd() {}

    /** {@code loss.backward()} for a one-element tensor. */
    public static void backward(Tensor loss) {
        if (loss.numel() != 1) {
            throw new IllegalArgumentException("backward() without a gradient needs a one-element tensor, got " + loss);
        }
        backward(loss, Tensor.of(new float[] {1f}, loss.shape()));
    }

    /** Backpropagates {@code gradOutput} (shaped like {@code output}) to every leaf below it. */
    public static void backward(Tensor output, Tensor gradOutput) {
        if (output.gradSink() != null) {
            output.gradSink().accumulate(gradOutput);
            return;
        }
        Node root = output.gradFn();
        if (root == null) {
            throw new IllegalStateException("the tensor does not require grad: no parameter it depends on is trained"
                    + " (set requiresGrad on the parameters, and do not run under GradMode.noGrad())");
        }
        List<Node> order = topologicalOrder(root);
        Map<Node, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, gradOutput);
        try (var on = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Node node = order.get(i);
                Tensor g = grads.remove(node);
                if (g == null) {
                    node.release();
                    continue;
                }
                Tensor[] inputs = node.inputs();
                Tensor[] inGrads = node.backward(g);
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    Tensor gk = inGrads[k];
                    if (in == null || gk == null) {
                        continue;
                    }
                    if (in.gradFn() != null) {
                        grads.merge(in.gradFn(), gk, Autograd::sum);
                    } else if (in.gradSink() != null) {
                        in.gradSink().accumulate(gk);
                    }
                }
                node.release();
            }
        }
    }

    /** Post-order of the nodes reachable from {@code root} (root last), without recursion. */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> order = new ArrayList<>();
        Set<Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node n = (Node) frame[0];
            int next = (Integer) frame[1];
            Tensor[] in = n.inputs();
            boolean pushed = false;
            while (next < in.length) {
                Tensor t = in[next++];
                if (t != null && t.gradFn() != null && visited.add(t.gradFn())) {
                    frame[1] = next;
                    stack.push(new Object[] {t.gradFn(), 0});
                    pushed = true;
                    break;
                }
            }
            if (!pushed) {
                frame[1] = next;
                stack.pop();
                order.add(n);
            }
        }
        return order;
    }

    /** Elementwise sum into a new tensor. */
    static Tensor sum(Tensor a, Tensor b) {
        float[] x = a.data();
        float[] y = b.data();
        float[] out = new float[x.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = x[i] + y[i];
        }
        return Tensor.of(out, a.shape());
    }
}
