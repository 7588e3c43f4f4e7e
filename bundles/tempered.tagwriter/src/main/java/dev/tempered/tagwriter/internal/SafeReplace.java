package dev.tempered.tagwriter.internal;

import dev.tempered.api.tag.TagException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write protocol: the original is only ever read until a verified copy replaces it in one atomic rename.
 *
 * <ol>
 * <li>the file must be a regular, writable file in a writable directory; leftovers of crashed runs are removed;
 * <li>its state (size, mtime, inode, SHA-256) is recorded and compared with the state seen when planning;
 * <li>a copy with the new tags is made in the same directory ({@code .<name>.tempered-<pid>-<token>.tmp}),
 * given the original's permissions (and mtime, if asked) and fsynced;
 * <li>the copy is verified: the tags read back as planned, every other tag field and picture is unchanged, and
 * the audio payload digest equals the original's;
 * <li>the original's state is checked again, the journal entry is appended, the copy is renamed over the original
 * atomically, and the directory is fsynced.
 * </ol>
 * Any failure deletes the copy and leaves the original as it was.
 */
final class SafeReplace {
    private static final Logger LOG = LoggerFactory.getLogger(SafeReplace.class);
    private static final String MARK = "tempered-";
    /** Ours, and the one jaudiotagger derives from ours when it rewrites through a file of its own. */
    static final Pattern LEFTOVER =
            Pattern.compile("^[._].*" + MARK + "(\\d+)-([0-9a-f]{12})(\\.tmp|_tmp\\d*\\.tmp)$");
    private static final long PID = ProcessHandle.current().pid();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The points where tests inject trouble; the product passes {@link #NONE}. */
    enum Step { COPY_WRITTEN, BEFORE_RENAME }

    interface Hook {
        void at(Step step, Path original, Path temp) throws IOException;
    }

    static final Hook NONE = (s, o, t) -> { };

    /** Appends the journal entry; called after verification, before the rename. */
    interface Commit {
        /** {@code temp} is the verified copy that is about to replace {@code file}. */
        void beforeRename(Path file, Path temp, TagValues before, TagValues after) throws IOException;
    }

    /** What the rename replaced and with what. */
    record Outcome(TagValues before, TagValues after, FileState original) {
    }

    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final Hook hook;
    private volatile boolean clean;

    SafeReplace(Hook hook, boolean cleanLeftovers) {
        this.hook = hook;
        this.clean = cleanLeftovers;
    }

    void setCleanLeftovers(boolean clean) {
        this.clean = clean;
    }

    /**
     * @param planned the file's state when the plan was made, or null if unknown
     * @param precheck returns why the file's current tags forbid the change, or null
     */
    Outcome replace(Path file, FileState planned, java.util.function.Function<TagValues, String> precheck,
            FormatHandler handler, TagChange change, boolean keepModified, Commit commit) throws TagException {
        checkWritable(file);
        Path dir = file.getParent();
        if (clean) {
            cleanLeftovers(dir);
        }
        FileState start;
        TagValues before;
        byte[] audio;
        try {
            start = FileState.of(file);
            if (planned != null && !planned.sameAs(start)) {
                throw new TagException(file, "file changed since it was planned; plan it again");
            }
            before = handler.read(file);
            audio = handler.payloadDigest(file);
        } catch (IOException e) {
            throw new TagException(file, "could not read the file: " + describe(e), e);
        }
        String refused = precheck.apply(before);
        if (refused != null) {
            throw new TagException(file, refused);
        }
        String token = HexFormat.of().formatHex(randomBytes());
        Path temp = dir.resolve(tempName(file.getFileName().toString(), token));
        active.add(token);
        boolean renamed = false;
        try {
            // Created with the original's permission bits (never wider), so a 0600 file's copy is 0600 from its
            // first byte, not 0644 until copyOwnership below (before: readable by all meanwhile).
            createLike(file, temp);
            handler.write(file, temp, change);
            hook.at(Step.COPY_WRITTEN, file, temp);
            copyOwnership(file, temp);
            if (keepModified) {
                Files.setLastModifiedTime(temp, start.modified());
            }
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            TagValues after = handler.read(temp);
            TagValues expected = change.expectedAfter(before);
            if (!after.asApiMap().equals(expected.asApiMap())) {
                throw new Verification("tags read back as " + after.asApiMap() + ", planned " + expected.asApiMap());
            }
            if (!after.others().equals(before.others())) {
                throw new Verification("other tags or pictures changed: " + diff(before, after));
            }
            if (!Arrays.equals(audio, handler.payloadDigest(temp))) {
                throw new Verification("the audio payload changed");
            }
            hook.at(Step.BEFORE_RENAME, file, temp);
            FileState now = FileState.of(file);
            if (!now.sameAs(start)) {
                throw new TagException(file, "file changed while we worked (size, time or content differ); not written");
            }
            commit.beforeRename(file, temp, before, after);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            renamed = true;
            fsyncDirectory(dir);
            return new Outcome(before, after, start);
        } catch (Verification e) {
            throw new TagException(file, "verification failed, file not written: " + e.getMessage());
        } catch (IOException e) {
            throw new TagException(file, "could not write: " + describe(e), e);
        } catch (RuntimeException e) {
            throw new TagException(file, "could not write: " + e, e);
        } finally {
            if (!renamed) {
                removeToken(dir, token);
            }
            active.remove(token);
        }
    }

    /** An empty file at {@code temp} with {@code file}'s rwx bits (the umask may narrow them, never widen). */
    static void createLike(Path file, Path temp) throws IOException {
        try {
            Set<PosixFilePermission> p = Files.readAttributes(file, PosixFileAttributes.class).permissions();
            Files.createFile(temp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(p));
        } catch (UnsupportedOperationException e) {
            Files.createFile(temp);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }

    static String tempName(String name, String token) {
        // A name that is not valid UTF-8 comes here with U+FFFD in it: the copy gets a name that survives a string
        // (jaudiotagger opens it by java.io.File), still recognised by the leftover cleanup.
        name = name.replace('\uFFFD', '_');
        String base = name.length() > 150 ? name.substring(0, 150) : name;
        return "." + base + "." + MARK + PID + "-" + token + ".tmp";
    }

    static void checkWritable(Path file) throws TagException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new TagException(file, Files.exists(file) ? "not a regular file" : "no such file");
        }
        try {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> p = a.permissions();
            // root may write anything: a file nobody may write is read-only by intent, and we respect that.
            boolean anyWrite = p.contains(PosixFilePermission.OWNER_WRITE) || p.contains(PosixFilePermission.GROUP_WRITE)
                    || p.contains(PosixFilePermission.OTHERS_WRITE);
            if (!anyWrite || !Files.isWritable(file)) {
                throw new TagException(file, "read-only file (no write permission); not written");
            }
        } catch (UnsupportedOperationException | IOException e) {
            if (!Files.isWritable(file)) {
                throw new TagException(file, "read-only file (no write permission); not written");
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isWritable(dir) || readOnlyByMode(dir)) {
            throw new TagException(file, "its directory is not writable (" + dir + "), so no temporary copy can be "
                    + "made beside it; not written");
        }
    }

    /**
     * A folder nobody may write (0555) is read-only by intent; root could write into it anyway, and before this
     * check it did. Same rule as for files.
     */
    private static boolean readOnlyByMode(Path dir) {
        try {
            Set<PosixFilePermission> p = Files.readAttributes(dir, PosixFileAttributes.class).permissions();
            return !(p.contains(PosixFilePermission.OWNER_WRITE) || p.contains(PosixFilePermission.GROUP_WRITE)
                    || p.contains(PosixFilePermission.OTHERS_WRITE));
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    /**
     * Removes temporary files left by a writer that died: ours by name, unless the process that made them is
     * still alive (another writer at work) or is this one and the write is in progress.
     *
     * @return the files removed
     */
    List<Path> cleanLeftovers(Path dir) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> LEFTOVER.matcher(
                p.getFileName().toString()).matches())) {
            for (Path p : files) {
                Matcher m = LEFTOVER.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                boolean busy = pid == PID ? active.contains(m.group(2))
                        : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (!busy && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                    removed.add(p);
                    LOG.info("Removed {}, left by an interrupted tag write", p);
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not look for leftover temporary files in {}", dir, e);
        }
        return removed;
    }

    private static void removeToken(Path dir, String token) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> {
            Matcher m = LEFTOVER.matcher(p.getFileName().toString());
            return m.matches() && m.group(2).equals(token);
        })) {
            for (Path p : files) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("Could not remove the temporary copy in {}", dir, e);
        }
    }

    private static void copyOwnership(Path from, Path to) throws IOException {
        PosixFileAttributeView src = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        PosixFileAttributeView dst = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (src == null || dst == null) {
            return;
        }
        PosixFileAttributes a = src.readAttributes();
        PosixFileAttributes b = dst.readAttributes();
        try {
            if (!a.owner().equals(b.owner())) {
                dst.setOwner(a.owner());
            }
            if (!a.group().equals(b.group())) {
                dst.setGroup(a.group());
            }
        } catch (IOException e) {
            LOG.warn("{}: the rewritten file keeps our owner/group, not the original's ({})", from, e.toString());
        }
        dst.setPermissions(a.permissions());
        try {
            // PosixFilePermission has no setuid, setgid or sticky bit; the unix view's mode carries all twelve.
            Object mode = Files.getAttribute(from, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(to, "unix:mode", mode);
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            LOG.debug("{}: mode bits beyond rwx not copied ({})", from, e.toString());
        }
        copyExtendedAttributes(from, to);
    }

    /** User extended attributes (tags of file managers, checksums of backup tools) survive the rewrite. */
    private static void copyExtendedAttributes(Path from, Path to) {
        UserDefinedFileAttributeView src = Files.getFileAttributeView(from, UserDefinedFileAttributeView.class);
        UserDefinedFileAttributeView dst = Files.getFileAttributeView(to, UserDefinedFileAttributeView.class);
        if (src == null || dst == null) {
            return;
        }
        try {
            for (String name : src.list()) {
                ByteBuffer b = ByteBuffer.allocate(src.size(name));
                src.read(name, b);
                b.flip();
                dst.write(name, b);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // A file system without user xattrs has none to lose.
            LOG.debug("{}: extended attributes not copied ({})", from, e.toString());
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory; the rename itself is still atomic.
            LOG.debug("Could not fsync directory {}", dir, e);
        }
    }

    static String describe(IOException e) {
        String m = String.valueOf(e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("No space left on device")) {
                return "the disk is full (No space left on device)";
            }
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied (" + m + ")";
        }
        if (e instanceof NoSuchFileException) {
            return "file disappeared (" + m + ")";
        }
        return e.getClass().getSimpleName() + ": " + m;
    }

    private static String diff(TagValues a, TagValues b) {
        List<String> d = new ArrayList<>();
        for (String k : a.others().keySet()) {
            if (!a.others().get(k).equals(b.others().get(k))) {
                d.add(k);
            }
        }
        for (String k : b.others().keySet()) {
            if (!a.others().containsKey(k)) {
                d.add(k);
            }
        }
        return String.join(", ", d);
    }

    private static final class Verification extends IOException {
        private static final long serialVersionUID = 1L;

        Verification(String message) {
            super(message);
        }
    }
}
