#ifndef SPARK_GEN_CSYSTEM_H
#define SPARK_GEN_CSYSTEM_H

/// Atomically swaps two paths (Linux renameat2 with RENAME_EXCHANGE): both must exist.
/// Returns 0, or -1 with errno set (EINVAL where the file system cannot exchange).
int spark_exchange_paths(const char *first, const char *second);

#endif
