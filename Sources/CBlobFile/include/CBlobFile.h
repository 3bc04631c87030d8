#ifndef C_BLOB_FILE_H
#define C_BLOB_FILE_H

#include <stdint.h>

/// Opens a file for writing, creating it when missing (when `must_be_new`
/// is non-zero it must not exist yet), whose writes bypass the page cache
/// (Linux's O_DIRECT) when `direct` is non-zero. Returns the descriptor, or
/// -1 with errno set (EINVAL when the file system refuses O_DIRECT).
int file_open_for_writing(const char *path, int direct, int must_be_new);

/// Turns O_DIRECT off on a descriptor, for a last write that is not a
/// multiple of the block size. Returns 0, or -1 with errno set.
int file_stop_direct(int descriptor);

/// Asks the kernel to start writing a file's dirty pages in
/// [offset, offset + count) to the disk without waiting for them (Linux's
/// sync_file_range with SYNC_FILE_RANGE_WRITE). A hint: returns 0, or -1
/// with errno set; elsewhere it does nothing and returns 0.
int file_start_writeback(int descriptor, int64_t offset, int64_t count);

#endif
