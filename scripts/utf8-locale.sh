# Sourced by ./tempered before it starts Java. The JDK maps file names to bytes with the locale's charset and
# cannot be told otherwise (sun.jnu.encoding is read-only since JDK 17): under LC_ALL=C or POSIX every non-ASCII
# path is an InvalidPathException or "file not found". Under a locale whose charset is not UTF-8 we therefore run
# Java under C.UTF-8 (built into Debian's libc), keeping the user's language settings otherwise.
case "$(locale charmap 2>/dev/null)" in
  UTF-8|utf8) ;;
  *) export LC_ALL=C.UTF-8 ;;
esac
