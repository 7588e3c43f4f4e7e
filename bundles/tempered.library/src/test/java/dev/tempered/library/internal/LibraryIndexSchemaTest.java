package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.TemperedException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryIndexSchemaTest {
    @TempDir
    Path dir;

    private Connection raw() throws Exception {
        return DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("index").toAbsolutePath(), "tempered", "");
    }

    @Test
    void aNewIndexCarriesTheCurrentSchemaVersion() throws Exception {
        LibraryIndex.open(dir).close();
        try (Connection c = raw()) {
            assertEquals(LibraryIndex.SCHEMA_VERSION, LibraryIndex.schemaVersion(c));
        }
        // Opening again changes nothing.
        LibraryIndex.open(dir).close();
        try (Connection c = raw(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM schema_version")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
    }

    @Test
    void anIndexFromBeforeTheVersionTableIsMigratedKeepingItsRows() throws Exception {
        try (Connection c = raw(); Statement s = c.createStatement()) {
            // Version 1 as the first release wrote it: no version table, no genre columns.
            s.execute(LibraryIndex.MIGRATIONS.get(0).get(0));
            s.execute("INSERT INTO files (path, size, mtime, hash, written, status, updated_at) VALUES "
                    + "('/m/a.flac', 1, 2, 'h', FALSE, 'ANALYSED', CURRENT_TIMESTAMP)");
        }
        LibraryIndex.open(dir).close();
        try (Connection c = raw(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT path, genre_before FROM files")) {
            assertTrue(rs.next());
            assertEquals("/m/a.flac", rs.getString(1));
            assertEquals(null, rs.getString(2));
            assertEquals(LibraryIndex.SCHEMA_VERSION, LibraryIndex.schemaVersion(c));
        }
    }

    @Test
    void anIndexFromANewerTemperedIsRefusedAndLeftAsItWas() throws Exception {
        LibraryIndex.open(dir).close();
        int future = LibraryIndex.SCHEMA_VERSION + 1;
        try (Connection c = raw(); Statement s = c.createStatement()) {
            s.execute("UPDATE schema_version SET version = " + future);
        }
        TemperedException e = assertThrows(TemperedException.class, () -> LibraryIndex.open(dir));
        assertTrue(e.getMessage().contains("schema version " + future) && e.getMessage().contains("newer"),
                e.getMessage());
        try (Connection c = raw()) {
            assertEquals(future, LibraryIndex.schemaVersion(c));
        }
    }
}
