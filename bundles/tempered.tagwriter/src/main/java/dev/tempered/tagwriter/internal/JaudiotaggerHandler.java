package dev.tempered.tagwriter.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jaudiotagger.audio.AudioFile;
import org.jaudiotagger.audio.AudioFileIO;
import org.jaudiotagger.audio.flac.metadatablock.MetadataBlockDataPicture;
import org.jaudiotagger.audio.mp3.MP3File;
import org.jaudiotagger.audio.wav.WavOptions;
import org.jaudiotagger.audio.wav.WavSaveOptions;
import org.jaudiotagger.audio.wav.WavSaveOrder;
import org.jaudiotagger.tag.FieldKey;
import org.jaudiotagger.tag.Tag;
import org.jaudiotagger.tag.TagField;
import org.jaudiotagger.tag.TagOptionSingleton;
import org.jaudiotagger.tag.aiff.AiffTag;
import org.jaudiotagger.tag.flac.FlacTag;
import org.jaudiotagger.tag.id3.AbstractID3v2Frame;
import org.jaudiotagger.tag.id3.AbstractID3v2Tag;
import org.jaudiotagger.tag.id3.ID3v22Tag;
import org.jaudiotagger.tag.id3.ID3v23Frame;
import org.jaudiotagger.tag.id3.ID3v23Tag;
import org.jaudiotagger.tag.id3.ID3v24Frame;
import org.jaudiotagger.tag.id3.ID3v24Tag;
import org.jaudiotagger.tag.id3.framebody.FrameBodyTXXX;
import org.jaudiotagger.tag.id3.valuepair.TextEncoding;
import org.jaudiotagger.tag.mp4.Mp4Tag;
import org.jaudiotagger.tag.mp4.field.Mp4TagReverseDnsField;
import org.jaudiotagger.tag.vorbiscomment.VorbisCommentTag;
import org.jaudiotagger.tag.wav.WavInfoTag;
import org.jaudiotagger.tag.wav.WavTag;

/**
 * MP3, FLAC, MP4, WAV and AIFF through jaudiotagger (Ogg goes through {@link OggCommentHandler}). Only our fields and the genre are touched: ID3
 * {@code TXXX} frames are filtered by description (jaudiotagger's {@code setFrame("TXXX")} would replace them all),
 * WAV and AIFF carry an ID3 chunk, and any other field is left as jaudiotagger read it.
 */
final class JaudiotaggerHandler implements FormatHandler {
    static final String MP4_PREFIX = "----:com.apple.iTunes:";
    private static final String MP4_ISSUER = "com.apple.iTunes";
    private static final String TXXX = "TXXX";
    /** Held so the level set below is not lost when java.util.logging lets an unreferenced logger go. */
    private static final Logger JAT_LOG = Logger.getLogger("org.jaudiotagger");

    static {
        // jaudiotagger logs routine steps as SEVERE; our verification is what judges a write.
        JAT_LOG.setLevel(Level.OFF);
        TagOptionSingleton o = TagOptionSingleton.getInstance();
        // WAV: both the ID3 chunk and the RIFF LIST/INFO chunk are read and written (ffmpeg and Windows read INFO,
        // TagLib and mutagen ID3); writeWav keeps them in sync itself, field by field.
        o.setWavOptions(WavOptions.READ_ID3_ONLY);
        o.setWavSaveOptions(WavSaveOptions.SAVE_BOTH);
        o.setWavSaveOrder(WavSaveOrder.INFO_THEN_ID3);
        o.setWriteMp3GenresAsText(true);
        o.setWriteMp4GenresAsText(true);
        // Formats jaudiotagger rewrites through its own temporary file get their content copied back into our
        // temporary file, so nothing is renamed behind our back.
        o.setPreserveFileIdentity(true);
    }

    private final Format format;

    JaudiotaggerHandler(Format format) {
        this.format = format;
    }

    @Override
    public TagValues read(Path file) throws IOException {
        AudioFile af = open(file);
        return switch (format) {
            case MP3 -> readId3(id3v2((MP3File) af), id3v1(file));
            case WAV -> readWav((WavTag) af.getTag());
            case AIFF -> readId3(af.getTag() == null ? null : ((AiffTag) af.getTag()).getID3Tag(), Map.of());
            case FLAC -> readFlac((FlacTag) af.getTag());
            case MP4 -> readMp4((Mp4Tag) af.getTag());
            default -> throw new IllegalStateException(format.toString());
        };
    }

    @Override
    public void write(Path source, Path target, TagChange change) throws IOException {
        // Into the file SafeReplace created with the original's mode (Files.copy would make a new one).
        try (java.io.InputStream in = Files.newInputStream(source);
                java.io.OutputStream out = Files.newOutputStream(target, java.nio.file.StandardOpenOption.WRITE,
                        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            in.transferTo(out);
        }
        AudioFile af = open(target);
        try {
            switch (format) {
                case MP3 -> {
                    MP3File mp3 = (MP3File) af;
                    AbstractID3v2Tag tag = id3v2(mp3);
                    if (tag == null) {
                        // No tag at all yet: v2.3 is the version every player reads.
                        tag = new ID3v23Tag();
                    }
                    writeId3(tag, change);
                    mp3.setID3v2Tag(tag);
                    // MP3File's own save: AudioFileIO.write silently wrote nothing into a file that had no ID3v2
                    // tag yet, only ID3v1 (Debian's asc-music files), and verification then refused the copy.
                    mp3.save();
                    if (change.genres() != null) {
                        id3v1Genre(target, change.genres());
                    }
                    return;
                }
                case WAV -> writeWav((WavTag) af.getTagOrCreateAndSetDefault(), change);
                case AIFF -> {
                    AiffTag a = (AiffTag) af.getTagOrCreateAndSetDefault();
                    AbstractID3v2Tag tag = a.getID3Tag() == null ? new ID3v23Tag() : a.getID3Tag();
                    writeId3(tag, change);
                    a.setID3Tag(tag);
                }
                case FLAC -> writeVorbis(((FlacTag) af.getTagOrCreateAndSetDefault()).getVorbisCommentTag(), change);
                case MP4 -> writeMp4((Mp4Tag) af.getTagOrCreateAndSetDefault(), change);
                default -> throw new IllegalStateException(format.toString());
            }
            AudioFileIO.write(af);
            if (format == Format.WAV) {
                WavChunks.rebuild(source, target);
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("jaudiotagger could not write the tags: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] payloadDigest(Path file) throws IOException {
        return AudioPayload.digest(format, file);
    }

    private AudioFile open(Path file) throws IOException {
        // jaudiotagger opens a java.io.File, made from a string: a name that is not valid UTF-8 (Latin-1 bytes)
        // would name no file. Such a file is read through a link of a plain name (reading only: writes go to
        // SafeReplace's copy, whose name survives).
        Path link = null;
        if (!Path.of(file.toString()).equals(file)) {
            link = java.nio.file.Files.createSymbolicLink(Path.of(System.getProperty("java.io.tmpdir"))
                    .resolve("tempered-read-" + Long.toHexString(System.nanoTime()) + "-"
                            + Long.toHexString(Thread.currentThread().getId()) + "." + format.extension),
                    file.toAbsolutePath());
        }
        try {
            return AudioFileIO.readAs((link == null ? file : link).toFile(), format.extension);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("jaudiotagger could not read the file: " + e.getMessage(), e);
        } finally {
            if (link != null) {
                java.nio.file.Files.deleteIfExists(link);
            }
        }
    }

    // ---- ID3 (MP3, WAV, AIFF)

    private static TagValues readId3(AbstractID3v2Tag tag, Map<String, List<String>> extra) throws IOException {
        Map<String, List<String>> others = new LinkedHashMap<>(extra);
        // The version the file's tag has, or for a file without one the version a write gives it (v2.3, see
        // write()), so that verification accepts exactly that and nothing else.
        String version = tag == null ? ID3v23Tag.class.getSimpleName() : tag.getClass().getSimpleName();
        others.put("id3-version", List.of(version));
        if (tag == null) {
            return new TagValues(List.of(), Map.of(), others);
        }
        Map<String, String> ours = new LinkedHashMap<>();
        for (Iterator<TagField> it = tag.getFields(); it.hasNext();) {
            TagField f = it.next();
            if (f.getId().equals("TCON") || f.getId().equals("TCO")) {
                continue;
            }
            if (f instanceof AbstractID3v2Frame frame && frame.getBody() instanceof FrameBodyTXXX body) {
                String d = body.getDescription();
                if (TagValues.OUR_FIELDS.contains(d)) {
                    ours.putIfAbsent(d, body.getFirstTextValue());
                    continue;
                }
                others.computeIfAbsent("TXXX:" + d, k -> new ArrayList<>()).add(raw(f));
                continue;
            }
            others.computeIfAbsent(f.getId(), k -> new ArrayList<>()).add(raw(f));
        }
        return new TagValues(nonEmpty(tag.getAll(FieldKey.GENRE)), ours, others);
    }

    private static void writeId3(AbstractID3v2Tag tag, TagChange change) throws Exception {
        if (tag instanceof ID3v22Tag) {
            throw new IOException("ID3v2.2 tags are not written (convert the file's tag to ID3v2.3 or 2.4 first)");
        }
        boolean v24 = tag instanceof ID3v24Tag;
        if (change.genres() != null) {
            tag.deleteField(FieldKey.GENRE);
            for (int i = 0; i < change.genres().size(); i++) {
                if (i == 0) {
                    tag.setField(FieldKey.GENRE, change.genres().get(i));
                } else {
                    tag.addField(FieldKey.GENRE, change.genres().get(i));
                }
            }
        }
        List<TagField> existing = tag.getFrame(TXXX);
        List<TagField> kept = new ArrayList<>();
        if (existing != null) {
            for (TagField f : existing) {
                boolean ours = f instanceof AbstractID3v2Frame frame && frame.getBody() instanceof FrameBodyTXXX body
                        && change.fields().containsKey(body.getDescription());
                if (!ours) {
                    kept.add(f);
                }
            }
        }
        for (String name : TagValues.OUR_FIELDS) {
            String value = change.fields().get(name);
            if (value == null || value.isEmpty()) {
                continue;
            }
            AbstractID3v2Frame frame = v24 ? new ID3v24Frame(TXXX) : new ID3v23Frame(TXXX);
            byte enc = v24 ? TextEncoding.UTF_8 : isLatin1(name + value) ? TextEncoding.ISO_8859_1 : TextEncoding.UTF_16;
            frame.setBody(new FrameBodyTXXX(enc, name, value));
            kept.add(frame);
        }
        if (kept.isEmpty()) {
            tag.removeFrame(TXXX);
        } else {
            tag.setFrame(TXXX, kept);
        }
    }

    private static boolean isLatin1(String s) {
        return s.chars().allMatch(c -> c < 0x100);
    }

    /**
     * An MP3's ID3v2 tag; for a file that has only ID3v1 (title, artist... in the last 128 bytes), the v2.3 tag a
     * write creates from it. Players read ID3v2 first, so a new v2 tag holding only our fields would hide the
     * file's title and artist; this way they are carried over, and verification expects exactly that.
     */
    private static AbstractID3v2Tag id3v2(MP3File mp3) {
        if (mp3.getID3v2Tag() != null) {
            return mp3.getID3v2Tag();
        }
        if (mp3.getID3v1Tag() == null) {
            return null;
        }
        ID3v23Tag tag = new ID3v23Tag(mp3.getID3v1Tag());
        // jaudiotagger's conversion writes TCON as "(24)Soundtrack", which it and other readers then show as
        // "Soundtrack  Soundtrack": the v1 genre goes over as its plain name instead.
        try {
            String genre = mp3.getID3v1Tag().getFirst(FieldKey.GENRE);
            tag.deleteField(FieldKey.GENRE);
            if (genre != null && !genre.isBlank()) {
                tag.setField(FieldKey.GENRE, genre.trim());
            }
        } catch (org.jaudiotagger.tag.FieldDataInvalidException e) {
            tag.deleteField(FieldKey.GENRE);
        }
        return tag;
    }

    /** An MP3's ID3v1 tag (the last 128 bytes, "TAG..."), which every write keeps, so verification sees it. */
    private static Map<String, List<String>> id3v1(Path file) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            if (ch.size() < 128) {
                return Map.of();
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(128);
            ch.read(b, ch.size() - 128);
            byte[] tail = b.array();
            // The genre byte is left out: it follows the ID3v2 genre (see id3v1Genre); title, artist... stay.
            return tail[0] == 'T' && tail[1] == 'A' && tail[2] == 'G'
                    ? Map.of("ID3v1", List.of(Fingerprint.of(java.util.Arrays.copyOf(tail, 127)))) : Map.of();
        }
    }

    /** The ID3v1 genre number of a name (case does not matter), or 255, ID3v1's "none", for a name it lacks. */
    static int id3v1GenreNumber(List<String> genres) {
        if (genres.isEmpty()) {
            return 255;
        }
        Integer id = org.jaudiotagger.tag.reference.GenreTypes.getInstanceOf()
                .getIdForName(genres.get(0).toLowerCase(java.util.Locale.ROOT));
        return id == null || id > 191 ? 255 : id;
    }

    /**
     * Makes an ID3v1 tag's genre follow the ID3v2 genre just written: readers that look at v1 (or at both) must
     * not see the old genre. A file without ID3v1 keeps having none.
     */
    private static void id3v1Genre(Path file, List<String> genres) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            if (Mp3Layout.hasId3v1(ch)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) id3v1GenreNumber(genres)}), ch.size() - 1);
            }
        }
    }

    /** The fields a WAV carries in both chunks: the ID3 frames and the INFO ids (jaudiotagger's names) of each. */
    private static final Map<FieldKey, List<String>> WAV_SHARED = new java.util.EnumMap<>(Map.of(
            FieldKey.TITLE, List.of("TIT2", "TT2"), FieldKey.ARTIST, List.of("TPE1", "TP1"),
            FieldKey.ALBUM, List.of("TALB", "TAL"), FieldKey.YEAR, List.of("TYER", "TDRC", "TYE"),
            FieldKey.TRACK, List.of("TRCK", "TRK"), FieldKey.COMPOSER, List.of("TCOM", "TCM")));

    /**
     * A WAV's values: the genre of the ID3 chunk, or of the INFO chunk when the ID3 chunk has none (a librarian's
     * genre set by a tool that writes only INFO is theirs too). The fields both chunks carry are fingerprinted by
     * the value a reader sees (ID3 first, then INFO), so that filling the empty side from the other is no change;
     * every other frame and INFO field by its raw bytes.
     */
    private static TagValues readWav(WavTag w) throws IOException {
        AbstractID3v2Tag id3 = w == null || !w.isExistingId3Tag() ? null : w.getID3Tag();
        WavInfoTag info = w == null || !w.isExistingInfoTag() ? null : w.getInfoTag();
        Map<String, List<String>> extra = new LinkedHashMap<>(infoFields(info));
        extra.remove("INFO:" + FieldKey.GENRE.name());
        for (FieldKey k : WAV_SHARED.keySet()) {
            extra.remove("INFO:" + k.name());
            String v = first(id3, k);
            if (v.isEmpty()) {
                v = first(info, k);
            }
            if (!v.isEmpty()) {
                extra.put("WAV:" + k.name(), List.of(Fingerprint.of(v)));
            }
        }
        TagValues t = readId3(id3, extra);
        Map<String, List<String>> others = new LinkedHashMap<>(t.others());
        WAV_SHARED.values().forEach(ids -> ids.forEach(others::remove));
        List<String> genres = t.genres();
        if (genres.isEmpty() && info != null) {
            genres = nonEmpty(List.of(first(info, FieldKey.GENRE)));
        }
        return new TagValues(genres, t.fields(), others);
    }

    /** A field's first value without the NUL terminators INFO chunks carry, or "". */
    private static String first(Tag tag, FieldKey k) {
        if (tag == null) {
            return "";
        }
        try {
            String v = tag.getFirst(k);
            return v == null ? "" : v.replace("\u0000", "").trim();
        } catch (RuntimeException e) {
            return "";
        }
    }

    /**
     * Both chunks get the genre; the shared fields (title, artist, album...) fill whichever chunk lacks them from
     * the other, so that every reader shows the same file whichever chunk it reads. A WAV that had neither chunk
     * gets both.
     */
    private static void writeWav(WavTag w, TagChange change) throws Exception {
        AbstractID3v2Tag id3 = w.isExistingId3Tag() && w.getID3Tag() != null ? w.getID3Tag() : new ID3v23Tag();
        WavInfoTag info = w.isExistingInfoTag() && w.getInfoTag() != null ? w.getInfoTag() : new WavInfoTag();
        // The genre a reader of either chunk saw before: the ID3 one first (as read()).
        if (change.genres() == null) {
            String g = first(id3, FieldKey.GENRE).isEmpty() ? first(info, FieldKey.GENRE) : null;
            if (g != null && !g.isEmpty()) {
                id3.setField(FieldKey.GENRE, g);
            }
        }
        for (FieldKey k : WAV_SHARED.keySet()) {
            String a = first(id3, k);
            String b = first(info, k);
            if (a.isEmpty() && !b.isEmpty()) {
                id3.setField(k, b);
            } else if (b.isEmpty() && !a.isEmpty()) {
                info.setField(k, a);
            }
        }
        writeId3(id3, change);
        List<String> genres = change.genres() != null ? change.genres() : nonEmpty(id3.getAll(FieldKey.GENRE));
        info.deleteField(FieldKey.GENRE);
        if (!genres.isEmpty()) {
            // INFO has one genre field: several genres share it, as in MP4.
            info.setField(FieldKey.GENRE, String.join(TagValues.GENRE_SEPARATOR, genres));
        }
        w.setID3Tag(id3);
        w.setInfoTag(info);
        w.setExistingId3Tag(true);
        w.setExistingInfoTag(true);
    }

    private static Map<String, List<String>> infoFields(WavInfoTag info) throws IOException {
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (info != null) {
            for (Iterator<TagField> it = info.getFields(); it.hasNext();) {
                TagField f = it.next();
                m.computeIfAbsent("INFO:" + f.getId(), k -> new ArrayList<>()).add(raw(f));
            }
        }
        return m;
    }

    // ---- Vorbis comments in FLAC

    private static TagValues readFlac(FlacTag tag) throws IOException {
        Map<String, List<String>> pictures = new LinkedHashMap<>();
        if (tag == null) {
            return new TagValues(List.of(), Map.of(), pictures);
        }
        for (MetadataBlockDataPicture p : tag.getImages()) {
            pictures.computeIfAbsent("PICTURE", k -> new ArrayList<>()).add(Fingerprint.of(p.getRawContent()));
        }
        return readVorbis(tag.getVorbisCommentTag(), pictures);
    }

    private static TagValues readVorbis(VorbisCommentTag tag, Map<String, List<String>> others) throws IOException {
        if (tag == null) {
            return new TagValues(List.of(), Map.of(), others);
        }
        others.put("vendor", List.of(tag.getVendor()));
        Map<String, String> ours = new LinkedHashMap<>();
        List<String> genres = new ArrayList<>();
        for (Iterator<TagField> it = tag.getFields(); it.hasNext();) {
            TagField f = it.next();
            String id = f.getId().toUpperCase(java.util.Locale.ROOT);
            String value = f.toString();
            if (id.equals(TagValues.GENRE)) {
                genres.add(value);
            } else if (TagValues.OUR_FIELDS.contains(id)) {
                ours.putIfAbsent(id, value);
            } else {
                others.computeIfAbsent(id, k -> new ArrayList<>()).add(raw(f));
            }
        }
        return new TagValues(nonEmpty(genres), ours, others);
    }

    private static void writeVorbis(VorbisCommentTag tag, TagChange change) throws Exception {
        if (change.genres() != null) {
            tag.deleteField(TagValues.GENRE);
            for (String g : change.genres()) {
                tag.addField(tag.createField(TagValues.GENRE, g));
            }
        }
        for (String name : TagValues.OUR_FIELDS) {
            String value = change.fields().get(name);
            if (value == null) {
                continue;
            }
            tag.deleteField(name);
            if (!value.isEmpty()) {
                tag.addField(tag.createField(name, value));
            }
        }
    }

    // ---- MP4

    private static TagValues readMp4(Mp4Tag tag) throws IOException {
        Map<String, List<String>> others = new LinkedHashMap<>();
        if (tag == null) {
            return new TagValues(List.of(), Map.of(), others);
        }
        Map<String, String> ours = new LinkedHashMap<>();
        for (Iterator<TagField> it = tag.getFields(); it.hasNext();) {
            TagField f = it.next();
            String id = f.getId();
            if (id.equals("©gen") || id.equals("gnre")) {
                continue;
            }
            if (id.startsWith(MP4_PREFIX) && TagValues.OUR_FIELDS.contains(id.substring(MP4_PREFIX.length()))) {
                ours.putIfAbsent(id.substring(MP4_PREFIX.length()), ((Mp4TagReverseDnsField) f).getContent());
                continue;
            }
            others.computeIfAbsent(id, k -> new ArrayList<>()).add(raw(f));
        }
        return new TagValues(nonEmpty(tag.getAll(FieldKey.GENRE)), ours, others);
    }

    private static void writeMp4(Mp4Tag tag, TagChange change) throws Exception {
        if (change.genres() != null) {
            tag.deleteField(FieldKey.GENRE);
            // MP4 has one genre atom: several genres share it, as iTunes and most taggers do.
            if (!change.genres().isEmpty()) {
                tag.setField(FieldKey.GENRE, String.join(TagValues.GENRE_SEPARATOR, change.genres()));
            }
        }
        for (String name : TagValues.OUR_FIELDS) {
            String value = change.fields().get(name);
            if (value == null) {
                continue;
            }
            tag.deleteField(MP4_PREFIX + name);
            if (!value.isEmpty()) {
                tag.addField(new Mp4TagReverseDnsField(MP4_PREFIX + name, MP4_ISSUER, name, value));
            }
        }
    }

    // ----

    private static String raw(TagField f) throws IOException {
        return Fingerprint.of(f.getRawContent());
    }

    private static List<String> nonEmpty(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                out.add(v);
            }
        }
        return out;
    }
}
