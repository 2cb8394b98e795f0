#ifndef NETTOOL_CLINUXIO_H
#define NETTOOL_CLINUXIO_H

#include <sys/types.h>

/// Asks the kernel to start writing the file's dirty pages in [offset, offset + length) to
/// disk, without waiting for them (sync_file_range with SYNC_FILE_RANGE_WRITE, which Glibc's
/// Swift module does not export). Returns 0, or -1 with errno set.
int nettool_start_writeback(int fd, off_t offset, off_t length);

#endif
