/* Reading a config file: the bytes on disk -> lines for the inih parser.
 *
 * A config is read whole into memory before any of it is parsed, so that
 * every way a file can be wrong is an error with a location, never a silent
 * end of file:
 *   - it must be a regular file (not a directory, device, FIFO or socket:
 *     `needlesim check /dev/zero` must not read forever) that can be opened
 *     and read to its end (a read error is an error, not end of file);
 *   - at most NS_INIFILE_MAX_BYTES bytes (a config is a few kB; the cap
 *     bounds memory whatever the path names);
 *   - no NUL byte (a NUL would end a C string early and silently cut a value
 *     or a whole sweep axis) and no other control character but tab, CR and
 *     LF; a UTF-16 byte-order mark is refused by name;
 *   - a UTF-8 byte-order mark at the start is skipped; lines end in LF or
 *     CRLF; a CR not followed by LF (classic Mac line endings, or a stray CR)
 *     is refused at its line, because read as one line it would hide every
 *     key after the first;
 *   - a line holds at most NS_INIFILE_MAX_LINE characters, not counting its
 *     leading blanks and a trailing '#' comment (inih's fixed line buffer is
 *     INI_MAX_LINE bytes including the newline and NUL).
 *   - a section header "[name]" is followed by nothing but blanks or a ';'
 *     comment (inih would drop the rest of the line without a word).
 * Lines are fed to inih with their leading blanks removed (so no line is a
 * multi-line continuation) and a '#' comment that follows a blank removed.
 * Every message names "FILE:LINE" (or the file alone for whole-file errors)
 * and carries no source location; all are NS_EINVAL (bad input, exit 2).
 */
#ifndef NS_INIFILE_H
#define NS_INIFILE_H

#include <ini.h>

#include "../models/status.h"

#define NS_INIFILE_MAX_BYTES (1024L * 1024L)    /* [bytes] largest config file (1 MiB) */
#define NS_INIFILE_MAX_LINE  (INI_MAX_LINE - 2) /* [chars] longest line (198) */

typedef struct ns_inifile ns_inifile;

/* Called for each "[name]" line before inih sees it, so that sections
 * without keys are seen too (the callee records its own errors). */
typedef void (*ns_inifile_section_fn)(void *user, const char *name, int line);
/* Called for a line that cannot be fed to inih (too long); msg is located. */
typedef void (*ns_inifile_error_fn)(void *user, int line, const char *msg);

/* Open and read path whole, with the checks above. exceptions: NS_EINVAL
 * (not readable, not a regular file, too large, NUL byte, UTF-16, bare CR),
 * NS_ENOMEM. *out is NULL on failure. */
ns_status ns_inifile_open(const char *path, ns_inifile **out);

/* Run inih over the file: handler as for ini_parse, on_section and on_error
 * as above (either may be NULL). Returns ini_parse_stream's result: 0, or the
 * first line inih could not parse. */
int ns_inifile_parse(ns_inifile *f, ini_handler handler, ns_inifile_section_fn on_section,
                     ns_inifile_error_fn on_error, void *user);

/* Line number of the line last fed to inih (1-based; 0 before the first). */
int ns_inifile_line(const ns_inifile *f);

/* NULL-safe; sets *f = NULL. */
void ns_inifile_close(ns_inifile **f);

#endif
