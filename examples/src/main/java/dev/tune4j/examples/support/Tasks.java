package dev.tune4j.examples.support;

import dev.tune4j.data.Dataset;
import dev.tune4j.data.DatasetSplit;
import dev.tune4j.examples.embedded.EmbeddedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The embedded instruction dataset split into training records and held-out (instruction, answer) pairs. */
public record Tasks(Dataset train, List<String[]> heldOut) {
    /** A seeded split with {@code heldOut} records held out. */
    public static Tasks split(int heldOut, long seed) {
        DatasetSplit split = Dataset.fromList(EmbeddedModel.alpacaRows()).trainTestSplit(heldOut, seed);
        List<String[]> pairs = new ArrayList<>();
        for (Map<String, Object> row : split.test()) {
            pairs.add(new String[] {(String) row.get("instruction"), (String) row.get("output")});
        }
        return new Tasks(split.train(), pairs);
    }
}
