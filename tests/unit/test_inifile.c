/* sim/inifile.c: a config file is read whole and refused, with its line, when
 * it is not text that inih can be given line by line. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../sim/inifile.h"

static char path[64];

static void write_file(const void *data, size_t n)
{
    snprintf(path, sizeof path, "/tmp/test_inifile_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert(write(fd, data, n) == (ssize_t)n);
    close(fd);
}

typedef struct {
    char seen[8][64];
    int line[8];
    int n;
    int sections;
    char error[256];
} record;

static int handler(void *user, const char *section, const char *name, const char *value)
{
    record *r = user;
    if (r->n < 8) snprintf(r->seen[r->n++], 64, "%s.%s=%s", section, name, value);
    return 1;
}

static void on_section(void *user, const char *name, int line)
{
    (void)name;
    (void)line;
    ((record *)user)->sections++;
}

static void on_error(void *user, int line, const char *msg)
{
    (void)line;
    snprintf(((record *)user)->error, sizeof((record *)user)->error, "%s", msg);
}

/* Parse data; returns the status of ns_inifile_open (r filled when NS_OK). */
static ns_status parse(const void *data, size_t n, record *r)
{
    memset(r, 0, sizeof *r);
    write_file(data, n);
    ns_inifile *f = NULL;
    ns_status st = ns_inifile_open(path, &f);
    if (st == NS_OK) {
        cr_assert(eq(int, ns_inifile_parse(f, handler, on_section, on_error, r), 0));
        ns_inifile_close(&f);
        cr_assert_null(f);
    } else {
        cr_assert_null(f);
    }
    unlink(path);
    return st;
}

Test(inifile, skips_utf8_bom_and_reads_crlf)
{
    const char t[] = "\xEF\xBB\xBF[needle]\r\nlength = 530 um\r\n\r\n[drug]\r\npreset = caffeine";
    record r;
    cr_assert(eq(int, parse(t, sizeof t - 1, &r), NS_OK));
    cr_assert(eq(int, r.n, 2));
    cr_assert(strcmp(r.seen[0], "needle.length=530 um") == 0, "%s", r.seen[0]);
    cr_assert(strcmp(r.seen[1], "drug.preset=caffeine") == 0, "%s", r.seen[1]);
    cr_assert(eq(int, r.sections, 2));
}

Test(inifile, strips_leading_blanks_and_hash_comments)
{
    const char t[] = "[needle]\n   length = 530 um # a comment\n";
    record r;
    cr_assert(eq(int, parse(t, sizeof t - 1, &r), NS_OK));
    cr_assert(strcmp(r.seen[0], "needle.length=530 um") == 0, "%s", r.seen[0]);
}

Test(inifile, refuses_bare_cr_with_its_line)
{
    const char t[] = "[needle]\nlength = 530 um\n[drug]\rpreset = caffeine\r";
    record r;
    cr_assert(eq(int, parse(t, sizeof t - 1, &r), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), ":3: carriage return not followed by a line feed") !=
                  NULL,
              "%s", ns_status_message());
}

Test(inifile, refuses_nul_with_line_and_column)
{
    const char t[] = "[needle]\nlength = 5\0"
                     "30 um\n";
    record r;
    cr_assert(eq(int, parse(t, sizeof t - 1, &r), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), ":2: NUL byte at column 11") != NULL, "%s",
              ns_status_message());
}

Test(inifile, refuses_utf16)
{
    const char t[] = "\xFF\xFE[\0n\0]\0";
    record r;
    cr_assert(eq(int, parse(t, sizeof t - 1, &r), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), "UTF-16") != NULL, "%s", ns_status_message());
}

Test(inifile, reports_long_line_through_on_error)
{
    char t[NS_INIFILE_MAX_LINE + 64];
    int n = snprintf(t, sizeof t, "[run]\nname = ");
    memset(t + n, 'x', NS_INIFILE_MAX_LINE);
    t[n + NS_INIFILE_MAX_LINE] = '\n';
    record r;
    cr_assert(eq(int, parse(t, (size_t)n + NS_INIFILE_MAX_LINE + 1, &r), NS_OK));
    cr_assert(strstr(r.error, ":2: line too long (205 characters, at most 198)") != NULL, "%s",
              r.error);
    cr_assert(eq(int, r.n, 0)); /* the long line is not passed on */
}

Test(inifile, accepts_longest_line)
{
    char t[NS_INIFILE_MAX_LINE + 64];
    int n = snprintf(t, sizeof t, "[run]\n");
    int m = snprintf(t + n, sizeof t - (size_t)n, "name = ");
    memset(t + n + m, 'x', (size_t)(NS_INIFILE_MAX_LINE - m));
    t[n + NS_INIFILE_MAX_LINE] = '\n';
    record r;
    cr_assert(eq(int, parse(t, (size_t)n + NS_INIFILE_MAX_LINE + 1, &r), NS_OK));
    cr_assert(strcmp(r.error, "") == 0, "%s", r.error);
    cr_assert(eq(int, r.n, 1));
}

Test(inifile, refuses_file_over_size_cap)
{
    size_t n = (size_t)NS_INIFILE_MAX_BYTES + 1;
    char *t = malloc(n);
    cr_assert_not_null(t);
    memset(t, ';', n);
    record r;
    ns_status st = parse(t, n, &r);
    free(t);
    cr_assert(eq(int, st, NS_EINVAL));
    cr_assert(strstr(ns_status_message(), "at most 1048576 allowed") != NULL, "%s",
              ns_status_message());
}

Test(inifile, refuses_directory_and_device)
{
    ns_inifile *f = NULL;
    cr_assert(eq(int, ns_inifile_open("/tmp", &f), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), "is a directory, not a regular file") != NULL, "%s",
              ns_status_message());
    cr_assert(eq(int, ns_inifile_open("/dev/zero", &f), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), "is a character device") != NULL, "%s",
              ns_status_message());
    cr_assert(eq(int, ns_inifile_open("/nonexistent/x.ini", &f), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), "cannot open config file") != NULL, "%s",
              ns_status_message());
    cr_assert_null(f);
}

Test(inifile, counts_lines_for_the_handler)
{
    const char t[] = "; comment\n\n[needle]\n\nlength = 530 um\n";
    record r;
    memset(&r, 0, sizeof r);
    write_file(t, sizeof t - 1);
    ns_inifile *f = NULL;
    cr_assert(eq(int, ns_inifile_open(path, &f), NS_OK));
    cr_assert(eq(int, ns_inifile_line(f), 0));
    ns_inifile_parse(f, handler, NULL, NULL, &r);
    cr_assert(eq(int, ns_inifile_line(f), 5));
    ns_inifile_close(&f);
    unlink(path);
}

Test(inifile, refuses_control_characters)
{
    const char t[] = "[sweep]\a" "needle.length = lin(250 um, 1 mm, 200)\n";
    record r;
    cr_assert(eq(int, parse(t, sizeof t - 1, &r), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), ":1: control character 0x07 at column 8") != NULL, "%s",
              ns_status_message());
}

Test(inifile, reports_text_after_section_header)
{
    const char t[] = "[sweep] needle.length = 600 um\n[run] ; a comment is fine\n";
    record r;
    cr_assert(eq(int, parse(t, sizeof t - 1, &r), NS_OK));
    cr_assert(strstr(r.error, ":1: text after the section header [sweep]: 'needle.length") != NULL,
              "%s", r.error);
    cr_assert(eq(int, r.sections, 2));
}
