package dev.tempered.training.internal;

import dev.tempered.api.TemperedException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Embeddings of tracks, one row per (content hash, backbone) in the table {@code embeddings} of the library index
 * database ({@code <library>/index.mv.db}): a retrain, or a training run after a tag job, decodes nothing that was
 * embedded before. The key is the SHA-256 of the whole file and the backbone's id, version and graph digest, so an
 * edited file or a new backbone is embedded again. The same URL as the library's own index, so that inside one
 * process both share one H2 database; the table is this bundle's and outside the index's schema versions.
 */
final class EmbeddingCache implements AutoCloseable {
    private final Connection connection;

    private EmbeddingCache(Connection connection) {
        this.connection = connection;
    }

    static EmbeddingCache open(Path libraryDir) throws TemperedException {
        Path base = libraryDir.resolve("index");
        try {
            Files.createDirectories(libraryDir);
        } catch (java.io.IOException e) {
            throw new TemperedException(libraryDir, "cannot create the library folder: " + e.getMessage(), e);
        }
        JdbcDataSource ds;
        try {
            ds = new JdbcDataSource();
        } catch (NoClassDefFoundError e) {
            throw new TemperedException(null, "the H2 database bundle (com.h2database:h2) is not installed, so the "
                    + "embedding cache cannot be opened", e);
        }
        ds.setURL("jdbc:h2:file:" + base.toAbsolutePath() + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        ds.setUser("tempered");
        ds.setPassword("");
        try {
            Connection c = ds.getConnection();
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS embeddings (hash VARCHAR(64) NOT NULL, backbone VARCHAR(400) "
                        + "NOT NULL, windows INT NOT NULL, dims INT NOT NULL, vectors VARBINARY(1000000) NOT NULL, "
                        + "PRIMARY KEY (hash, backbone))");
            }
            c.setAutoCommit(true);
            return new EmbeddingCache(c);
        } catch (SQLException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("already in use") || m.contains("locked")) {
                throw new TemperedException(base, "the library index is in use by another tempered process; "
                        + "wait for it to finish", e);
            }
            throw new TemperedException(base, "cannot open the embedding cache: " + m, e);
        }
    }

    synchronized Optional<float[][]> get(String hash, String backbone) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT windows, dims, vectors FROM embeddings WHERE hash = ? AND backbone = ?")) {
            ps.setString(1, hash);
            ps.setString(2, backbone);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                int w = rs.getInt(1);
                int d = rs.getInt(2);
                ByteBuffer b = ByteBuffer.wrap(rs.getBytes(3));
                if (b.remaining() != w * d * 4) {
                    return Optional.empty();
                }
                float[][] rows = new float[w][d];
                for (float[] r : rows) {
                    for (int j = 0; j < d; j++) {
                        r[j] = b.getFloat();
                    }
                }
                return Optional.of(rows);
            }
        }
    }

    synchronized void put(String hash, String backbone, float[][] rows) throws SQLException {
        int d = rows.length == 0 ? 0 : rows[0].length;
        ByteBuffer b = ByteBuffer.allocate(rows.length * d * 4);
        for (float[] r : rows) {
            for (float v : r) {
                b.putFloat(v);
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "MERGE INTO embeddings (hash, backbone, windows, dims, vectors) KEY (hash, backbone) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, hash);
            ps.setString(2, backbone);
            ps.setInt(3, rows.length);
            ps.setInt(4, d);
            ps.setBytes(5, b.array());
            ps.executeUpdate();
        }
    }

    /** Rows in the cache (for tests and reports). */
    synchronized int size() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM embeddings")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing a connection that failed is nothing to report.
        }
    }
}
