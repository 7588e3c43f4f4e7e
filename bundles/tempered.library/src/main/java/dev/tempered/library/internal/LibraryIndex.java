package dev.tempered.library.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.tag.TagPlan;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The library index: one row per file in an embedded H2 database. H2 is pure Java and ships as an OSGi bundle,
 * so it loads inside Felix with no native code and no JDBC {@code DriverManager} lookup (which cannot see
 * bundle class loaders): the data source class is used directly. Every row is its own committed transaction
 * with no write delay, and H2's MVStore is append-only, so a process killed at any point leaves the index at
 * its last committed row. The database holds an exclusive file lock: one job per index at a time.
 */
final class LibraryIndex implements AutoCloseable {
    /** A file's row: its entry, plus the raw logits {@code [windows][members][classes]} (or null). */
    record Row(LibraryEntry entry, double[][][] logits) {
    }

    private static final String COLUMNS = "path, size, mtime, hash, duration, model, temperature, labels, probs, "
            + "top, confidence, entropy, mi, logits, decision, written, written_at, truth, status, message, updated_at, "
            + "genre_before, genre_after, suggestion";

    private final Path file;
    private final Connection connection;

    private LibraryIndex(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens (creating if needed) the index {@code <dir>/index.mv.db}. */
    static LibraryIndex open(Path dir) throws TemperedException {
        Path base = dir.resolve("index");
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new TemperedException(dir, "cannot create the library index folder: " + e.getMessage(), e);
        }
        JdbcDataSource ds;
        try {
            ds = new JdbcDataSource();
        } catch (NoClassDefFoundError e) {
            throw new TemperedException(null, "the H2 database bundle (com.h2database:h2) is not installed, so the "
                    + "library index cannot be opened", e);
        }
        // WRITE_DELAY=0: a committed row reaches the file at once, so a kill loses nothing committed.
        // DB_CLOSE_ON_EXIT=FALSE: on Ctrl-C or SIGTERM, H2's own shutdown hook would close the database while the
        // job's hook waits for the files in flight, and their rows would be lost; the job closes the index itself.
        ds.setURL("jdbc:h2:file:" + base.toAbsolutePath() + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        ds.setUser("tempered");
        ds.setPassword("");
        try {
            Connection c = ds.getConnection();
            try {
                migrate(c, base);
            } catch (TemperedException | SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            c.setAutoCommit(true);
            return new LibraryIndex(dir.resolve("index.mv.db"), c);
        } catch (SQLException e) {
            String m = String.valueOf(e.getMessage());
            if (e.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1 || m.contains("already in use")
                    || m.contains("locked")) {
                throw inUse(dir, e);
            }
            throw new TemperedException(base, "cannot open the library index: " + m, e);
        }
    }

    /**
     * H2 holds a file lock on the index while a process has it open; a second process gets H2's three-level
     * "Database may be already in use" chain. One line for the librarian: which home, and that another Tempered
     * has it (one job per index at a time).
     */
    private static TemperedException inUse(Path dir, SQLException e) {
        Path file = dir.resolve("index.mv.db").toAbsolutePath();
        Path parent = dir.toAbsolutePath().getParent();
        // The index lives in <home>/library unless configured elsewhere; then the folder itself is named.
        boolean inHome = parent != null && dir.getFileName() != null && dir.getFileName().toString().equals("library");
        String what = inHome ? "the Tempered home " + parent : "the library index folder " + dir.toAbsolutePath();
        return new TemperedException(null, what + " is in use by another Tempered (its library index " + file
                + " is locked); wait for that run to finish, or use another --home", e);
    }

    /**
     * The schema's versions, oldest first: entry {@code i} takes an index from version {@code i} to {@code i + 1}.
     * A new version appends a step; steps are never edited, so every older index is brought up the same way.
     */
    static final List<List<String>> MIGRATIONS = List.of(
            List.of("CREATE TABLE IF NOT EXISTS files ("
                    + "path VARCHAR(8192) PRIMARY KEY, size BIGINT NOT NULL, mtime BIGINT NOT NULL, "
                    + "hash VARCHAR(64) NOT NULL, duration DOUBLE PRECISION, model VARCHAR(300), "
                    + "temperature DOUBLE PRECISION, labels VARCHAR(8192), probs VARCHAR(8192), top VARCHAR(300), "
                    + "confidence DOUBLE PRECISION, entropy DOUBLE PRECISION, mi DOUBLE PRECISION, "
                    + "logits VARBINARY(1000000), decision VARCHAR(10), written BOOLEAN NOT NULL, "
                    + "written_at TIMESTAMP WITH TIME ZONE, truth VARCHAR(300), status VARCHAR(20) NOT NULL, "
                    + "message VARCHAR(8192), updated_at TIMESTAMP WITH TIME ZONE NOT NULL)"),
            // 2: what a librarian sees in reports (genre before and after, our suggestion).
            List.of("ALTER TABLE files ADD COLUMN IF NOT EXISTS genre_before VARCHAR(8192)",
                    "ALTER TABLE files ADD COLUMN IF NOT EXISTS genre_after VARCHAR(8192)",
                    "ALTER TABLE files ADD COLUMN IF NOT EXISTS suggestion VARCHAR(8192)"));

    /** The schema version this code reads and writes. */
    static final int SCHEMA_VERSION = MIGRATIONS.size();

    /**
     * Brings the index to {@link #SCHEMA_VERSION} in one transaction, or refuses an index a newer Tempered made
     * (this code would not know what its columns mean). Indexes from before the version table count as version 1:
     * every step is idempotent, so replaying step 2 on them is harmless.
     */
    private static void migrate(Connection c, Path base) throws SQLException, TemperedException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL)");
            int version = 0;
            try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                if (rs.next()) {
                    version = rs.getInt(1);
                }
            }
            if (version > SCHEMA_VERSION) {
                c.rollback();
                throw new TemperedException(base, "the library index has schema version " + version
                        + ", made by a newer Tempered; this one knows up to " + SCHEMA_VERSION
                        + ". Use the newer version, or move the index folder away to start a new one");
            }
            for (int v = version; v < SCHEMA_VERSION; v++) {
                for (String sql : MIGRATIONS.get(v)) {
                    s.execute(sql);
                }
            }
            if (version < SCHEMA_VERSION) {
                s.execute("DELETE FROM schema_version");
                s.execute("INSERT INTO schema_version VALUES (" + SCHEMA_VERSION + ")");
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    static int schemaVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    Path file() {
        return file;
    }

    synchronized Optional<Row> get(Path path) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + COLUMNS + " FROM files WHERE path = ?")) {
            ps.setString(1, path.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Inserts or replaces a file's row in one transaction. */
    synchronized void put(Row row) throws SQLException {
        LibraryEntry e = row.entry();
        try (PreparedStatement ps = connection.prepareStatement("MERGE INTO files (" + COLUMNS
                + ") KEY (path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int i = 1;
            ps.setString(i++, e.file().toString());
            ps.setLong(i++, e.size());
            ps.setLong(i++, e.modified() == null ? 0 : e.modified().toEpochMilli());
            ps.setString(i++, e.contentHash() == null ? "" : e.contentHash());
            setDouble(ps, i++, e.durationSeconds());
            ps.setString(i++, e.model() == null ? null : e.model().toString());
            setDouble(ps, i++, e.temperature());
            ps.setString(i++, String.join("\n", e.labels()));
            ps.setString(i++, joinDoubles(e.probabilities()));
            ps.setString(i++, e.topLabel());
            setDouble(ps, i++, e.confidence());
            setDouble(ps, i++, e.entropy());
            setDouble(ps, i++, e.mutualInformation());
            ps.setBytes(i++, row.logits() == null ? null : encode(row.logits()));
            ps.setString(i++, e.decision() == null ? null : e.decision().name());
            ps.setBoolean(i++, e.written());
            ps.setTimestamp(i++, e.writtenAt() == null ? null : Timestamp.from(e.writtenAt()));
            ps.setString(i++, e.truth());
            ps.setString(i++, e.status().name());
            ps.setString(i++, e.message());
            ps.setTimestamp(i++, Timestamp.from(Instant.now()));
            ps.setString(i++, e.genreBefore());
            ps.setString(i++, e.genreAfter());
            ps.setString(i++, e.suggestion());
            ps.executeUpdate();
        }
    }

    /** Rows whose path is one of the roots or lies under one; every row when there are no roots. */
    synchronized List<Row> under(List<Path> roots) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + COLUMNS + " FROM files ORDER BY path");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Row r = read(rs);
                if (roots.isEmpty() || roots.stream().anyMatch(root -> r.entry().file().startsWith(root))) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    synchronized int count() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM files")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // Nothing is pending: every row was committed when it was put.
        }
    }

    private static Row read(ResultSet rs) throws SQLException {
        String model = rs.getString("model");
        String labels = rs.getString("labels");
        String decision = rs.getString("decision");
        Timestamp writtenAt = rs.getTimestamp("written_at");
        byte[] logits = rs.getBytes("logits");
        LibraryEntry e = new LibraryEntry(Path.of(rs.getString("path")), rs.getLong("size"),
                Instant.ofEpochMilli(rs.getLong("mtime")), rs.getString("hash"), getDouble(rs, "duration"),
                model == null ? null : ModelRef.parse(model), getDouble(rs, "temperature"),
                labels == null || labels.isEmpty() ? List.of() : List.of(labels.split("\n")),
                splitDoubles(rs.getString("probs")), rs.getString("top"), getDouble(rs, "confidence"),
                getDouble(rs, "entropy"), getDouble(rs, "mi"),
                decision == null ? null : TagPlan.Decision.valueOf(decision), rs.getBoolean("written"),
                writtenAt == null ? null : writtenAt.toInstant(), rs.getString("truth"),
                LibraryEntry.Status.valueOf(rs.getString("status")), rs.getString("message"),
                rs.getString("genre_before"), rs.getString("genre_after"), rs.getString("suggestion"));
        return new Row(e, logits == null ? null : decode(logits));
    }

    private static void setDouble(PreparedStatement ps, int i, double v) throws SQLException {
        if (Double.isNaN(v)) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }

    private static double getDouble(ResultSet rs, String col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? Double.NaN : v;
    }

    static String joinDoubles(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            // Round-trip exact: the index must give back the distribution that was decided on.
            sb.append(i == 0 ? "" : " ").append(Double.toString(v[i]));
        }
        return sb.toString();
    }

    static double[] splitDoubles(String s) {
        if (s == null || s.isBlank()) {
            return new double[0];
        }
        return Arrays.stream(s.trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
    }

    static byte[] encode(double[][][] logits) {
        int w = logits.length;
        int m = w == 0 ? 0 : logits[0].length;
        int c = m == 0 ? 0 : logits[0][0].length;
        ByteBuffer b = ByteBuffer.allocate(12 + 4 * w * m * c);
        b.putInt(w).putInt(m).putInt(c);
        for (double[][] win : logits) {
            for (double[] mem : win) {
                for (double v : mem) {
                    // The model produced float32; storing floats loses nothing.
                    b.putFloat((float) v);
                }
            }
        }
        return b.array();
    }

    static double[][][] decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int w = b.getInt();
        int m = b.getInt();
        int c = b.getInt();
        double[][][] out = new double[w][m][c];
        for (int i = 0; i < w; i++) {
            for (int j = 0; j < m; j++) {
                for (int k = 0; k < c; k++) {
                    out[i][j][k] = b.getFloat();
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "library index %s", file);
    }
}
