package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tempered.api.ModelRef;
import dev.tempered.api.library.LibraryEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.csv is read back cell for cell by a CSV reader, whatever the file names and messages hold. */
class ReportCsvTest {
    @TempDir
    Path dir;

    @Test
    void oddCellsSurviveAReadBack() throws Exception {
        Path file = dir.resolve("a, \"b\"\nc.mp3");
        LibraryEntry e = new LibraryEntry(file, 10, Instant.EPOCH, "h", 30, new ModelRef("toy", "1.0.0"), 1.5,
                List.of("jazz", "rock,roll"), new double[] {0.25, 0.75}, "rock,roll", 0.75, 0.5, 0.01, null, false,
                null, null, LibraryEntry.Status.ANALYSED, "line one\nline \"two\", three", "Hip-Hop", null, null);
        Path csv = Files.writeString(dir.resolve("report.csv"),
                Reports.csv(List.of(e), List.of("jazz", "rock,roll"), new Reports.Paths(List.of(dir))));
        CsvTable t = CsvTable.read(csv);
        assertEquals("p_rock,roll", t.header()[18]);
        String[] row = t.rows().get(0);
        assertEquals(t.header().length, row.length);
        assertEquals(file.toString(), row[0]);
        assertArrayEquals(new String[] {"rock,roll", "0.75"}, new String[] {row[2], row[3]});
        assertEquals("Hip-Hop", row[14]);
        assertEquals("line one\nline \"two\", three", row[row.length - 1]);
    }
}
