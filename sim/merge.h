/* `needlesim merge OUT SLICE...`: combine the files of `run --cases` slices
 * of one config into one file equal to a single run (every result, curve,
 * status, error and field; h5diff, `make check-files`).
 *
 * Every slice file has the full needlesim-1 layout of the config (all n
 * cases, those outside the slice pending). The first slice is copied into
 * a private temporary file next to OUT; every case it lacks (status 0) is
 * copied from the first other slice that has it (status 1 or 2), with its
 * field snapshots; the copy is committed, fsync'ed and renamed to OUT (an
 * existing OUT is replaced only with overwrite). Refused with nothing
 * written (exit 2): a slice of another config (config_hash, case count or
 * curve sizes differ), an unreadable slice, OUT among the slices, OUT
 * existing without overwrite, a case that no slice computed. */
#ifndef NS_MERGE_H
#define NS_MERGE_H

#include <stddef.h>

/* Returns the exit code: 0 every case ok, 3 some failed, 1 I/O failure,
 * 2 bad input; messages on stderr, the closing line on stdout. */
int ns_merge(const char *out, const char *const *slices, size_t n_slices, int overwrite, int quiet);

#endif
