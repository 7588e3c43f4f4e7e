package dev.tempered.tagwriter.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** What a file was at one moment: size, modification time, identity (inode) and content hash. */
record FileState(long size, FileTime modified, Object fileKey, byte[] sha256) {
    static FileState of(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        MessageDigest md = AudioPayload.sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return new FileState(a.size(), a.lastModifiedTime(), a.fileKey(), md.digest());
    }

    boolean sameAs(FileState o) {
        return size == o.size && modified.equals(o.modified) && Objects.equals(fileKey, o.fileKey)
                && Arrays.equals(sha256, o.sha256);
    }

    String hex() {
        return HexFormat.of().formatHex(sha256);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileState s && sameAs(s);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sha256);
    }
}
