package dev.tempered.api.calibration;

import java.util.List;

/**
 * Per-bin accuracy against confidence.
 *
 * @param bins the bins in order of confidence, empty ones included (count 0)
 */
public record ReliabilityDiagram(List<Bin> bins) {
    public ReliabilityDiagram {
        bins = List.copyOf(bins);
    }

    /**
     * One confidence bin.
     *
     * @param lower      lower edge of the bin (exclusive, except the first)
     * @param upper      upper edge (inclusive)
     * @param count      rows whose confidence falls in the bin
     * @param accuracy   fraction of them predicted correctly (NaN when empty)
     * @param confidence their mean confidence (NaN when empty)
     */
    public record Bin(double lower, double upper, int count, double accuracy, double confidence) {
    }
}
