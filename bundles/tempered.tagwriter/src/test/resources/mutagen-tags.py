# Prints the genre and Tempered's fields of one file as mutagen reads them, one "name=value" a line.
import sys
import mutagen

f = mutagen.File(sys.argv[1])
t = f.tags if f is not None else None
out = {}


def put(k, v):
    if isinstance(v, (list, tuple)):
        v = v[0]
    if isinstance(v, bytes):
        v = v.decode("utf-8")
    out.setdefault(k, str(v))


if t is None:
    pass
elif hasattr(t, "getall"):  # ID3: MP3, WAV, AIFF
    for fr in t.getall("TCON"):
        put("GENRE", fr.text)
    for fr in t.getall("TXXX"):
        put(fr.desc, fr.text)
    for fr in t.getall("TIT2"):
        put("TITLE", fr.text)
elif type(t).__name__ == "MP4Tags":
    for k, v in t.items():
        if k == "\xa9gen":
            put("GENRE", v)
        elif k == "\xa9nam":
            put("TITLE", v)
        elif k.startswith("----:com.apple.iTunes:"):
            put(k[len("----:com.apple.iTunes:"):], v)
else:  # Vorbis comments: FLAC, Ogg Vorbis, Opus
    for k, v in t.items():
        put(k.upper(), v)
for k, v in out.items():
    print(k + "=" + v)
