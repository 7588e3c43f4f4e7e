package dev.tempered.library.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.tempered.api.TemperedException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV file as rows of text cells, read by Jackson's CSV module (RFC 4180: quoted fields may hold commas, quotes
 * and line breaks), with the line each row starts on so errors can name it.
 *
 * @param header  the first row, without a byte-order mark
 * @param rows    the other non-blank rows
 * @param lines   the 1-based line each row of {@code rows} starts on
 * @param charset how the file was decoded: UTF-8, else ISO-8859-1 (spreadsheets still save Latin-1)
 */
record CsvTable(String[] header, List<String[]> rows, List<Integer> lines, Charset charset) {
    static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES).build();

    static CsvTable read(Path file) throws TemperedException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TemperedException(file, "cannot read: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new TemperedException(file, "too large to read into memory", e);
        }
        Charset charset = StandardCharsets.UTF_8;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // Not UTF-8: every byte sequence is Latin-1, the other encoding CSVs of this kind come in.
            charset = StandardCharsets.ISO_8859_1;
            text = new String(bytes, charset);
        }
        return parse(file, text, charset);
    }

    static CsvTable parse(Path file, String text, Charset charset) throws TemperedException {
        List<String[]> all = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        try (Reader r = new StringReader(text); JsonParser p = CSV.getFactory().createParser(r)) {
            // WRAP_AS_ARRAY: the file is one array of rows, each row an array of cells.
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new TemperedException(file, "empty");
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
        } catch (JsonProcessingException e) {
            throw new TemperedException(file, "line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TemperedException(file, "cannot read: " + e.getMessage(), e);
        }
        if (all.isEmpty()) {
            throw new TemperedException(file, "empty");
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
            if (row.length != header.length) {
                throw new TemperedException(file, "line " + lines.get(i) + ": " + row.length + " fields, header has "
                        + header.length);
            }
            rows.add(row);
            rowLines.add(lines.get(i));
        }
        return new CsvTable(header, rows, rowLines, charset);
    }

    /** The index of the first column named one of {@code names} (case-insensitive), else an error naming it. */
    int column(Path file, String... names) throws TemperedException {
        for (String n : names) {
            for (int i = 0; i < header.length; i++) {
                if (header[i].trim().equalsIgnoreCase(n)) {
                    return i;
                }
            }
        }
        throw new TemperedException(file, "no '" + names[0] + "' column");
    }
}
