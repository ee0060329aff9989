package dev.tune4j.nn;

import java.util.ArrayList;
import java.util.List;

/** torch.nn.ModuleList: children named "0", "1", ... */
public final class ModuleList<T extends Module> extends Module {
    private final List<T> items = new ArrayList<>();

    public void add(T m) {
        register(Integer.toString(items.size()), m);
        items.add(m);
    }

    public T get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }
}
