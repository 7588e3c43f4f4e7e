package dev.tempered.training.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Splits tracks into train, calibration and test parts by group (album), so that no album is on two sides: tracks
 * of one album share production, artist and often key and tempo, and a model tested on an album it trained on
 * looks better than it is. Per label, its albums are shuffled by the seed and dealt out: the first
 * {@code holdout / 2} of them (at least one) to calibration, as many to test, the rest (at least one) to training.
 * An album whose tracks carry several labels goes with its most frequent one.
 */
final class Splits {
    enum Part {
        TRAIN, CALIBRATION, TEST
    }

    private Splits() {
    }

    /** Albums needed per label: one for each part. */
    static final int MIN_GROUPS = 3;

    /**
     * @param groups group key per track
     * @param labels label index per track
     * @return the part of each track
     * @throws IllegalArgumentException naming a label with fewer than {@link #MIN_GROUPS} albums
     */
    static Part[] split(List<String> groups, int[] labels, List<String> labelNames, double holdout, long seed) {
        // group -> label counts; TreeMap so that the iteration order, and so the split, depends on names only.
        Map<String, int[]> counts = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            counts.computeIfAbsent(groups.get(i), g -> new int[labelNames.size()])[labels[i]]++;
        }
        Map<Integer, List<String>> byLabel = new TreeMap<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            int best = 0;
            for (int k = 1; k < e.getValue().length; k++) {
                if (e.getValue()[k] > e.getValue()[best]) {
                    best = k;
                }
            }
            byLabel.computeIfAbsent(best, k -> new ArrayList<>()).add(e.getKey());
        }
        Map<String, Part> partOf = new HashMap<>();
        Random r = new Random(seed);
        for (int k = 0; k < labelNames.size(); k++) {
            List<String> albums = byLabel.getOrDefault(k, List.of());
            if (albums.size() < MIN_GROUPS) {
                throw new IllegalArgumentException("'" + labelNames.get(k) + "' has its tracks in " + albums.size()
                        + (albums.size() == 1 ? " album" : " albums") + "; it needs at least " + MIN_GROUPS
                        + " (one to train on, one to fit the temperature on, one to test on, so that no album is on "
                        + "two sides)");
            }
            List<String> shuffled = new ArrayList<>(albums);
            Collections.shuffle(shuffled, r);
            int held = Math.max(1, (int) Math.round(albums.size() * holdout / 2));
            held = Math.min(held, (albums.size() - 1) / 2);
            for (int i = 0; i < shuffled.size(); i++) {
                partOf.put(shuffled.get(i), i < held ? Part.CALIBRATION : i < 2 * held ? Part.TEST : Part.TRAIN);
            }
        }
        Part[] out = new Part[labels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = partOf.get(groups.get(i));
        }
        return out;
    }
}
