#ifndef SPARK_GEN_CSYSTEM_H
#define SPARK_GEN_CSYSTEM_H

/// Atomically swaps two paths (Linux renameat2 with RENAME_EXCHANGE): both must exist.
/// Returns 0, or -1 with errno set (EINVAL where the file system cannot exchange).
int spark_exchange_paths(const char *first, const char *second);

/// Makes every thread allocate from one glibc malloc arena (M_ARENA_MAX 1); elsewhere a no-op.
/// A build's second emitting thread would otherwise get an arena of its own, whose freed
/// memory the first thread never reuses (docs/performance.md, build session 13).
void spark_one_malloc_arena(void);

#endif
