/* Status codes and error reporting for needlesim.
 *
 * Every fallible function returns ns_status. A function that detects a problem
 * records a message "file:line func(): text" with NS_FAIL/NS_CHECK; callers that
 * propagate with NS_TRY add one traceback line each. The models never print:
 * the message is kept in a per-thread buffer that sim/ reads with
 * ns_status_message() (and stores in /error for a failed sweep case).
 *
 * Physics callbacks (constitutive laws, boundary fluxes) use plain int:
 * 0 ok, > 0 recoverable (the stepper halves dt and retries), < 0 fatal.
 */
#ifndef NS_STATUS_H
#define NS_STATUS_H

#include <stddef.h>

#define NS_STATUS_LIST(X)                                          \
    X(NS_OK, "success")                                            \
    X(NS_EINVAL, "invalid parameter")                              \
    X(NS_ENOMEM, "out of memory")                                  \
    X(NS_EIO, "file or HDF5 failure")                              \
    X(NS_ECONV, "iteration did not converge")                      \
    X(NS_ENONFINITE, "non-finite value in solution")               \
    X(NS_EMPI, "MPI failure")                                      \
    X(NS_EINTR, "interrupted by a signal")                         \
    X(NS_ETIMEOUT, "case time limit exceeded")                     \
    X(NS_EPHYSICS, "result violates a physical invariant")

#define NS_STATUS_ENUM_(name, text) name,
typedef enum { NS_STATUS_LIST(NS_STATUS_ENUM_) NS_STATUS_COUNT } ns_status;
#undef NS_STATUS_ENUM_

/* Short text for a status code ("invalid parameter"). Never NULL. */
const char *ns_status_str(ns_status s);

/* The message recorded by the last NS_FAIL/NS_CHECK plus its traceback lines;
 * "" when none. Valid until the next ns_status_* call on this thread. */
const char *ns_status_message(void);

/* Forget the recorded message and its keys (call before starting a new case). */
void ns_status_clear(void);

/* The config keys a failure is about, recorded beside the message so that a
 * caller (sim/config) can place the error at the file line or --set that set
 * the key, without reading the message text. ns_status_set, _set_plain and
 * _set_keyed start a new list; ns_status_trace keeps it; ns_status_add_key
 * appends a dotted name ("needle.length", "skin.dermis.thickness"; at most
 * NS_STATUS_KEYS_MAX, duplicates ignored). */
#define NS_STATUS_KEYS_MAX 4
#define NS_STATUS_KEY_LEN 80
void ns_status_add_key(const char *dotted);
size_t ns_status_n_keys(void);
const char *ns_status_key(size_t i); /* "" past the end */

/* A user-facing message about one key (no source location), e.g. a value
 * out of range or a cross-field rule; key is recorded as by
 * ns_status_add_key. Returns code. */
ns_status ns_status_set_keyed(ns_status code, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Record a new message (replaces the previous one). Returns code. */
ns_status ns_status_set(ns_status code, const char *file, int line, const char *func,
                        const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Record a user-facing message without a source location (config errors,
 * which name the input file and line themselves). Returns code. */
ns_status ns_status_set_plain(ns_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Append one traceback line "  from file:line func()" and return code. */
ns_status ns_status_trace(ns_status code, const char *file, int line, const char *func);

#define NS_FAIL(code, ...) return ns_status_set((code), __FILE__, __LINE__, __func__, __VA_ARGS__)

#define NS_CHECK(cond, code, ...)                                                \
    do {                                                                         \
        if (!(cond)) return ns_status_set((code), __FILE__, __LINE__, __func__, __VA_ARGS__); \
    } while (0)

#define NS_TRY(call)                                                             \
    do {                                                                         \
        ns_status ns_try_s_ = (call);                                            \
        if (ns_try_s_ != NS_OK)                                                  \
            return ns_status_trace(ns_try_s_, __FILE__, __LINE__, __func__);     \
    } while (0)

/* Like NS_TRY but jumps to a cleanup label, storing the status in `st`. */
#define NS_TRY_GOTO(st, call, label)                                             \
    do {                                                                         \
        (st) = (call);                                                           \
        if ((st) != NS_OK) {                                                     \
            ns_status_trace((st), __FILE__, __LINE__, __func__);                 \
            goto label;                                                          \
        }                                                                        \
    } while (0)

#endif
