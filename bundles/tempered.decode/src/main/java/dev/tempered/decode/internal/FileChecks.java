package dev.tempered.decode.internal;

import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.UnsupportedAudioException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Turns what the file system says about a path into the domain's errors, before anything opens it. */
final class FileChecks {
    private FileChecks() {
    }

    static void requireRegularFile(Path file) throws AudioException {
        if (!Files.exists(file)) {
            throw new CorruptAudioException(file, Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    ? "broken symbolic link" : "file not found");
        }
        if (Files.isDirectory(file)) {
            throw new UnsupportedAudioException(file, "is a directory, not an audio file");
        }
        // A FIFO or device would block or never end when opened: never hand one to a decoder.
        if (!Files.isRegularFile(file)) {
            throw new UnsupportedAudioException(file, "not a regular file (a device, pipe or socket)");
        }
    }

    /** Maps an I/O failure while reading the file to the domain exception a user can act on. */
    static AudioException ioFailure(Path file, IOException e) {
        if (e instanceof AccessDeniedException) {
            return new CorruptAudioException(file, "cannot be read: permission denied", 0, e);
        }
        if (e instanceof NoSuchFileException) {
            return new CorruptAudioException(file, "file not found", 0, e);
        }
        return new CorruptAudioException(file, "cannot be read: " + e, 0, e);
    }
}
