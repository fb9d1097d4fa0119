/* Status table and the per-thread message buffer (see status.h). */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NS_MSG_CAP 2048

static _Thread_local char msg_buf[NS_MSG_CAP];
/* Dotted config keys the recorded message is about (see status.h). */
static _Thread_local char key_buf[NS_STATUS_KEYS_MAX][NS_STATUS_KEY_LEN];
static _Thread_local size_t n_keys;

#define NS_STATUS_TEXT_(name, text) text,
static const char *const status_text[] = {NS_STATUS_LIST(NS_STATUS_TEXT_)};
#undef NS_STATUS_TEXT_

const char *ns_status_str(ns_status s)
{
    if ((int)s < 0 || s >= NS_STATUS_COUNT) return "unknown status";
    return status_text[s];
}

const char *ns_status_message(void) { return msg_buf; }

void ns_status_clear(void)
{
    msg_buf[0] = '\0';
    n_keys = 0;
}

void ns_status_add_key(const char *dotted)
{
    if (!dotted || !dotted[0] || n_keys == NS_STATUS_KEYS_MAX) return;
    for (size_t i = 0; i < n_keys; i++)
        if (strcmp(key_buf[i], dotted) == 0) return;
    snprintf(key_buf[n_keys++], NS_STATUS_KEY_LEN, "%s", dotted);
}

size_t ns_status_n_keys(void) { return n_keys; }

const char *ns_status_key(size_t i) { return i < n_keys ? key_buf[i] : ""; }

ns_status ns_status_set_keyed(ns_status code, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg_buf, NS_MSG_CAP, fmt, ap);
    va_end(ap);
    n_keys = 0;
    ns_status_add_key(key);
    return code;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

ns_status ns_status_set(ns_status code, const char *file, int line, const char *func,
                        const char *fmt, ...)
{
    n_keys = 0;
    int n = snprintf(msg_buf, NS_MSG_CAP, "%s:%d %s(): ", base_name(file), line, func);
    if (n < 0) n = 0;
    if ((size_t)n < NS_MSG_CAP) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg_buf + n, NS_MSG_CAP - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return code;
}

ns_status ns_status_set_plain(ns_status code, const char *fmt, ...)
{
    n_keys = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg_buf, NS_MSG_CAP, fmt, ap);
    va_end(ap);
    return code;
}

ns_status ns_status_trace(ns_status code, const char *file, int line, const char *func)
{
    size_t len = strlen(msg_buf);
    if (len + 1 < NS_MSG_CAP)
        snprintf(msg_buf + len, NS_MSG_CAP - len, "\n  from %s:%d %s()", base_name(file), line,
                 func);
    return code;
}
