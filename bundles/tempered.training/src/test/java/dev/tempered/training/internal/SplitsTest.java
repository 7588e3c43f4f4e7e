package dev.tempered.training.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.training.internal.Splits.Part;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitsTest {
    /** Two labels, 10 albums each of 3 tracks, plus one album holding both labels. */
    private static final List<String> GROUPS = new ArrayList<>();
    private static final List<Integer> LABELS = new ArrayList<>();

    static {
        for (int k = 0; k < 2; k++) {
            for (int a = 0; a < 10; a++) {
                for (int t = 0; t < 3; t++) {
                    GROUPS.add("L" + k + "/album" + a);
                    LABELS.add(k);
                }
            }
        }
        GROUPS.add("mixed");
        LABELS.add(0);
        GROUPS.add("mixed");
        LABELS.add(1);
        GROUPS.add("mixed");
        LABELS.add(1);
    }

    private static Part[] split(long seed) {
        return Splits.split(GROUPS, LABELS.stream().mapToInt(Integer::intValue).toArray(), List.of("a", "b"), 0.4,
                seed);
    }

    @Test
    void everyAlbumIsInOnePartAndEachLabelInAllThree() {
        Part[] p = split(3);
        Map<String, Set<Part>> partsOfAlbum = new HashMap<>();
        for (int i = 0; i < p.length; i++) {
            partsOfAlbum.computeIfAbsent(GROUPS.get(i), g -> EnumSet.noneOf(Part.class)).add(p[i]);
        }
        partsOfAlbum.forEach((album, parts) -> assertEquals(1, parts.size(), album + " is in " + parts));
        for (int k = 0; k < 2; k++) {
            Set<Part> seen = EnumSet.noneOf(Part.class);
            for (int i = 0; i < p.length; i++) {
                if (LABELS.get(i) == k) {
                    seen.add(p[i]);
                }
            }
            assertEquals(EnumSet.allOf(Part.class), seen, "label " + k);
        }
        // 10 or 11 albums a label, 20 % each to calibration and test: 2 albums, 6 tracks (or the mixed album's 3).
        long cal = java.util.Arrays.stream(p).filter(x -> x == Part.CALIBRATION).count();
        assertTrue(cal >= 10 && cal <= 15, "calibration tracks " + cal);
    }

    @Test
    void theSeedDecidesTheSplitAndOnlyTheSeed() {
        assertArrayEquals(split(3), split(3));
        assertTrue(!java.util.Arrays.equals(split(3), split(4)), "another seed, another split");
    }

    @Test
    void aLabelInFewerThanThreeAlbumsIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Splits.split(
                List.of("x/1", "x/1", "y/1", "y/2", "y/3"), new int[] {0, 0, 1, 1, 1}, List.of("Jazz", "Rock"), 0.4, 1));
        assertTrue(e.getMessage().startsWith("'Jazz' has its tracks in 1 album; it needs at least 3"), e.getMessage());
    }
}
