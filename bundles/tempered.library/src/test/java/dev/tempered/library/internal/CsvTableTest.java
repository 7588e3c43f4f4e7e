package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.TemperedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableTest {
    @TempDir
    Path dir;

    @Test
    void fieldsMayBeQuotedAndHoldLineBreaks() throws Exception {
        Path f = dir.resolve("quoted.csv");
        Files.writeString(f, "\uFEFFfilename,note,x\n\"a,b\",\"say \"\"hi\"\"\",3\n\n\"two\nlines.wav\",,4\nlast,z,5\n");
        CsvTable t = CsvTable.read(f);
        assertArrayEquals(new String[] {"filename", "note", "x"}, t.header());
        assertArrayEquals(new String[] {"a,b", "say \"hi\"", "3"}, t.rows().get(0));
        // The hand-written parser split this row in two: a quoted line break is part of the field.
        assertArrayEquals(new String[] {"two\nlines.wav", "", "4"}, t.rows().get(1));
        assertEquals(List.of(2, 4, 6), t.lines(), "the line each row starts on");
        assertEquals(StandardCharsets.UTF_8, t.charset());
    }

    @Test
    void latin1IsReadAsLatin1() throws Exception {
        Path f = dir.resolve("latin1.csv");
        // "Beyoncé" saved by a spreadsheet in Latin-1: this gave MalformedInputException before.
        Files.write(f, "filename,label\nBeyonc\u00e9.wav,pop\n".getBytes(StandardCharsets.ISO_8859_1));
        CsvTable t = CsvTable.read(f);
        assertEquals("Beyonc\u00e9.wav", t.rows().get(0)[0]);
        assertEquals(StandardCharsets.ISO_8859_1, t.charset());
    }

    @Test
    void rowsOfTheWrongWidthNameTheirLine() throws Exception {
        Path f = Files.writeString(dir.resolve("short.csv"), "a,b,c\n1,2,3\n4,5\n");
        TemperedException e = assertThrows(TemperedException.class, () -> CsvTable.read(f));
        assertTrue(e.getMessage().contains(f + ": line 3: 2 fields, header has 3"), e.getMessage());
    }

    @Test
    void anEmptyFileIsNamed() throws Exception {
        Path f = Files.writeString(dir.resolve("empty.csv"), "");
        TemperedException e = assertThrows(TemperedException.class, () -> CsvTable.read(f));
        assertTrue(e.getMessage().startsWith(f + ": empty"), e.getMessage());
    }
}
