/* Reading a config file whole, then feeding inih line by line (see inifile.h). */
#include "inifile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ns_inifile {
    char *path;
    char *text; /* the file's bytes, NUL-terminated (no NUL inside: checked) */
    size_t len; /* bytes in text */
    size_t pos; /* next byte to feed */
    int line;   /* line last fed */
    void *user;
    ns_inifile_section_fn on_section;
    ns_inifile_error_fn on_error;
};

/* Line number (1-based) of byte offset `at`. */
static int line_of(const char *s, size_t at)
{
    int line = 1;
    for (size_t k = 0; k < at; k++)
        line += s[k] == '\n';
    return line;
}

/* 1-based column of byte at of s. */
static size_t column_of(const char *s, size_t at)
{
    size_t bol = at;
    while (bol > 0 && s[bol - 1] != '\n')
        bol--;
    return at - bol + 1;
}

/* Read fd to its end into a fresh buffer; -1 with errno on a read error,
 * -2 when more than NS_INIFILE_MAX_BYTES bytes are there. */
static long read_all(int fd, char **out)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) return -1;
    for (;;) {
        if (len == cap) {
            if (cap > (size_t)NS_INIFILE_MAX_BYTES) {
                free(buf);
                return -2;
            }
            cap *= 2;
            char *b = realloc(buf, cap + 1);
            if (!b) {
                free(buf);
                errno = ENOMEM;
                return -1;
            }
            buf = b;
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return -1;
        }
        if (got == 0) break;
        len += (size_t)got;
        if (len > (size_t)NS_INIFILE_MAX_BYTES) {
            free(buf);
            return -2;
        }
    }
    buf[len] = '\0';
    *out = buf;
    return (long)len;
}

/* The content checks: NUL bytes, UTF-16, bare CR. */
static ns_status check_text(const char *path, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        return ns_status_set_plain(NS_EINVAL,
                                   "%s: the file is UTF-16 encoded (byte-order mark %02X %02X); "
                                   "save it as UTF-8 or ASCII",
                                   path, u[0], u[1]);
    const char *nul = memchr(s, '\0', len);
    if (nul) {
        size_t at = (size_t)(nul - s);
        return ns_status_set_plain(NS_EINVAL,
                                   "%s:%d: NUL byte at column %zu (a config is text; the file is "
                                   "binary or corrupted)",
                                   path, line_of(s, at), column_of(s, at));
    }
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            return ns_status_set_plain(NS_EINVAL,
                                       "%s:%d: control character 0x%02X at column %zu (a config "
                                       "is text: letters, digits, blanks, tabs)",
                                       path, line_of(s, k), c, column_of(s, k));
        }
    }
    for (size_t k = 0; k < len; k++)
        if (s[k] == '\r' && (k + 1 == len || s[k + 1] != '\n'))
            return ns_status_set_plain(NS_EINVAL,
                                       "%s:%d: carriage return not followed by a line feed "
                                       "(lines must end in LF or CRLF; CR-only line endings are "
                                       "not supported: convert the file, e.g. with mac2unix)",
                                       path, line_of(s, k));
    return NS_OK;
}

ns_status ns_inifile_open(const char *path, ns_inifile **out)
{
    *out = NULL;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below). */
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return ns_status_set_plain(NS_EINVAL, "cannot open config file '%s': %s", path,
                                   strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return ns_status_set_plain(NS_EINVAL, "cannot open config file '%s': %s", path,
                                   strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return ns_status_set_plain(NS_EINVAL, "config file '%s' is %s, not a regular file", path,
                                   S_ISDIR(sb.st_mode)    ? "a directory"
                                   : S_ISCHR(sb.st_mode)  ? "a character device"
                                   : S_ISBLK(sb.st_mode)  ? "a block device"
                                   : S_ISFIFO(sb.st_mode) ? "a FIFO"
                                                          : "a socket or other special file");
    }
    if (sb.st_size > NS_INIFILE_MAX_BYTES) {
        close(fd);
        return ns_status_set_plain(NS_EINVAL,
                                   "config file '%s' has %lld bytes, at most %ld allowed", path,
                                   (long long)sb.st_size, NS_INIFILE_MAX_BYTES);
    }
    (void)fcntl(fd, F_SETFL, 0); /* blocking reads from here on */
    char *text = NULL;
    long n = read_all(fd, &text);
    int e = errno;
    close(fd);
    if (n == -2)
        return ns_status_set_plain(NS_EINVAL, "config file '%s' is larger than %ld bytes", path,
                                   NS_INIFILE_MAX_BYTES);
    if (n < 0)
        return e == ENOMEM ? ns_status_set_plain(NS_ENOMEM, "out of memory reading '%s'", path)
                           : ns_status_set_plain(NS_EINVAL, "cannot read config file '%s': %s",
                                                 path, strerror(e));
    ns_status st = check_text(path, text, (size_t)n);
    if (st != NS_OK) {
        free(text);
        return st;
    }
    ns_inifile *f = calloc(1, sizeof *f);
    char *p = strdup(path);
    if (!f || !p) {
        free(f);
        free(p);
        free(text);
        return ns_status_set_plain(NS_ENOMEM, "out of memory reading '%s'", path);
    }
    f->path = p;
    f->text = text;
    f->len = (size_t)n;
    /* A UTF-8 byte-order mark (as some Windows editors write) is not content. */
    if (f->len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) f->pos = 3;
    *out = f;
    return NS_OK;
}

/* inih reader: one line per call (see inifile.h for what is stripped). */
static char *reader(char *str, int num, void *stream)
{
    ns_inifile *f = stream;
    if (f->pos >= f->len) return NULL;
    char *s = f->text + f->pos;
    char *nl = memchr(s, '\n', f->len - f->pos);
    size_t end = nl ? (size_t)(nl - s) : f->len - f->pos;
    f->pos += nl ? end + 1 : end;
    s[end] = '\0';
    f->line++;
    while (*s == ' ' || *s == '\t')
        s++;
    for (char *p = s; *p; p++) {
        if (*p == '#' && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            break;
        }
    }
    size_t len = strlen(s);
    while (len > 0 && s[len - 1] == '\r')
        s[--len] = '\0';
    if (len + 2 > (size_t)num) {
        if (f->on_error) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s:%d: line too long (%zu characters, at most %d)", f->path,
                     f->line, len, num - 2);
            f->on_error(f->user, f->line, msg);
        }
        snprintf(str, (size_t)num, ";\n");
        return str;
    }
    if (s[0] == '[') {
        /* inih ignores whatever follows "]": refuse it, or a key written on
         * the header line would silently vanish. */
        char *close = strchr(s, ']');
        const char *rest = close ? close + 1 : "";
        while (*rest == ' ' || *rest == '\t')
            rest++;
        if (close && *rest && *rest != ';' && f->on_error) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s:%d: text after the section header %.*s: '%.60s'", f->path,
                     f->line, (int)(close - s + 1), s, rest);
            f->on_error(f->user, f->line, msg);
        }
    }
    if (s[0] == '[' && f->on_section) {
        char *close = strchr(s, ']');
        if (close) {
            char name[64];
            size_t n = (size_t)(close - s - 1);
            if (n >= sizeof name) n = sizeof name - 1;
            memcpy(name, s + 1, n);
            name[n] = '\0';
            f->on_section(f->user, name, f->line);
        }
    }
    snprintf(str, (size_t)num, "%s\n", s);
    return str;
}

int ns_inifile_parse(ns_inifile *f, ini_handler handler, ns_inifile_section_fn on_section,
                     ns_inifile_error_fn on_error, void *user)
{
    f->user = user;
    f->on_section = on_section;
    f->on_error = on_error;
    return ini_parse_stream(reader, f, handler, user);
}

int ns_inifile_line(const ns_inifile *f)
{
    return f->line;
}

void ns_inifile_close(ns_inifile **fp)
{
    if (!fp || !*fp) return;
    free((*fp)->path);
    free((*fp)->text);
    free(*fp);
    *fp = NULL;
}
