package dev.tempered.launcher.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV file as rows of text cells, read by Jackson's CSV module (RFC 4180: quoted fields may hold commas, quotes
 * and line breaks), with the line each row starts on so errors can name it.
 *
 * @param header the first row, without a UTF-8 byte-order mark
 * @param rows   the other non-blank rows
 * @param lines  the 1-based line each row of {@code rows} starts on
 */
record Table(String[] header, List<String[]> rows, List<Integer> lines) {
    static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES).build();

    static Table read(Path file) throws IOException, UsageException {
        List<String[]> all = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                JsonParser p = CSV.getFactory().createParser(r)) {
            // WRAP_AS_ARRAY: the file is one array of rows, each row an array of cells.
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new UsageException(file + " is empty");
            }
            while (p.nextToken() == JsonToken.START_ARRAY) {
                List<String> row = new ArrayList<>();
                int line = -1;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (row.isEmpty()) {
                        // The row's own first cell: the array's start is reported where the previous row ended.
                        line = p.currentTokenLocation().getLineNr();
                    }
                    row.add(p.getText());
                }
                lines.add(line);
                all.add(row.toArray(String[]::new));
            }
        } catch (CharacterCodingException e) {
            throw new UsageException(file + ": not UTF-8 text (save the CSV as UTF-8)");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UsageException(file + " line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
        }
        if (all.isEmpty()) {
            throw new UsageException(file + " is empty");
        }
        String[] header = all.get(0);
        if (header.length > 0 && header[0].startsWith("\uFEFF")) {
            header[0] = header[0].substring(1);
        }
        List<String[]> rows = new ArrayList<>();
        List<Integer> rowLines = new ArrayList<>();
        for (int i = 1; i < all.size(); i++) {
            String[] row = all.get(i);
            if (row.length == 1 && row[0].isBlank()) {
                continue;
            }
            rows.add(row);
            rowLines.add(lines.get(i));
        }
        return new Table(header, rows, rowLines);
    }
}
