package dev.tempered.library.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Finds the audio files under some roots. Symbolic links are followed (a library often links albums in from
 * elsewhere) but each real file is listed once, and a link back up the tree is reported and skipped instead of
 * looping; a folder that cannot be read is reported and the walk goes on. A file is taken when its content is
 * audio or its name says it is (an audio extension): a damaged or empty track is then analysed and reported with
 * its reason instead of being left out silently.
 */
public final class Scanner {
    /** The files found, as real paths in walk order, and what was skipped, in words. */
    public record Result(List<Path> files, List<String> warnings) {
    }

    /**
     * The tag writer's temporary copies ({@code .<name>.tempered-<pid>-<token>.tmp}) hold valid audio; one left by
     * a killed process must not be taken for a track of the library.
     */
    static final java.util.regex.Pattern WRITER_TEMP =
            java.util.regex.Pattern.compile("^[._].*tempered-\\d+-[0-9a-f]{12}(\\.tmp|_tmp\\d*\\.tmp)$");

    /** Extensions of audio formats, read or not: a file named so is a track its owner expects to see reported. */
    static final Set<String> AUDIO_EXTENSIONS = Set.of("mp3", "mp2", "flac", "ogg", "oga", "opus", "m4a", "m4b",
            "mp4", "aac", "alac", "wav", "wave", "w64", "rf64", "aif", "aiff", "aifc", "au", "caf", "wma", "ape",
            "wv", "mka", "mpc", "spx", "tta", "dsf", "dff");

    private Scanner() {
    }

    /**
     * Whether the name ends in an audio extension. AppleDouble companions ({@code ._name.mp3}, metadata a Mac
     * leaves on foreign disks) are not tracks.
     */
    static boolean namedAsAudio(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && !name.startsWith("._")
                && AUDIO_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT));
    }

    public static Result scan(List<Path> roots, Predicate<Path> isAudio, BooleanSupplier cancelled, Consumer<Integer> found)
            throws IOException {
        Set<Path> files = new LinkedHashSet<>();
        List<String> warnings = new ArrayList<>();
        // Files that are neither named as audio nor sniffed as audio (headless raw PCM, documents): counted, so a
        // folder of them does not end in a silent "0 found".
        List<Path> notAudio = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.exists(root)) {
                throw new java.nio.file.NoSuchFileException(root.toString(), null, "no such file or folder");
            }
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (cancelled.getAsBoolean()) {
                                return FileVisitResult.TERMINATE;
                            }
                            if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
                                warnings.add("cannot read folder " + dir + ": permission denied (skipped)");
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (cancelled.getAsBoolean()) {
                                return FileVisitResult.TERMINATE;
                            }
                            boolean named = namedAsAudio(file);
                            if (!attrs.isRegularFile() || (attrs.size() == 0 && !named)
                                    || WRITER_TEMP.matcher(file.getFileName().toString()).matches()) {
                                return FileVisitResult.CONTINUE;
                            }
                            if (!Files.isReadable(file)) {
                                warnings.add("cannot read " + file + ": permission denied (skipped)");
                                return FileVisitResult.CONTINUE;
                            }
                            if (!named && !isAudio.test(file)) {
                                notAudio.add(file);
                            } else {
                                try {
                                    if (files.add(file.toRealPath())) {
                                        found.accept(files.size());
                                    }
                                } catch (IOException e) {
                                    warnings.add("cannot resolve " + file + ": " + e.getMessage() + " (skipped)");
                                }
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            if (e instanceof FileSystemLoopException) {
                                warnings.add("symbolic link loop at " + file + " (not followed)");
                            } else if (e instanceof AccessDeniedException) {
                                warnings.add("cannot read " + file + ": permission denied (skipped)");
                            } else if (Files.isSymbolicLink(file) && !Files.exists(file)) {
                                warnings.add("broken symbolic link " + file + " (skipped)");
                            } else {
                                warnings.add("cannot read " + file + ": " + e + " (skipped)");
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                            if (e != null) {
                                warnings.add("error listing folder " + dir + ": " + e.getMessage());
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
            if (cancelled.getAsBoolean()) {
                break;
            }
        }
        if (files.isEmpty() && !notAudio.isEmpty()) {
            warnings.add(0, notAudio.size() + " file" + (notAudio.size() == 1 ? " is" : "s are") + " not audio Tempered "
                    + "can read (no audio file name and no audio header; headless raw PCM is not supported), e.g. "
                    + notAudio.get(0) + ": `tempered probe " + notAudio.get(0) + "` says what it is");
        }
        return new Result(List.copyOf(files), warnings);
    }
}
