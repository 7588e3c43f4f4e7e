package dev.tempered.calibration.internal;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** A CSV table built row by row and written by Jackson's CSV module (quoted only where RFC 4180 needs it). */
final class CsvRows {
    private static final CsvMapper CSV = new CsvMapper();
    private final List<String[]> rows = new ArrayList<>();

    CsvRows(String... header) {
        rows.add(header);
    }

    /** One row; each cell's {@code toString()}. */
    void add(Object... cells) {
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = String.valueOf(cells[i]);
        }
        rows.add(row);
    }

    String text() {
        StringWriter out = new StringWriter();
        try (SequenceWriter w = CSV.writerFor(String[].class).with(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
                .writeValues(out)) {
            for (String[] row : rows) {
                w.write(row);
            }
        } catch (IOException e) {
            // A StringWriter does not fail; Jackson declares it.
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
