#define _GNU_SOURCE
#include "CBlobFile.h"

#include <fcntl.h>

#if !defined(O_DIRECT)
#define O_DIRECT 0
#endif

int file_open_for_writing(const char *path, int direct, int must_be_new) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (must_be_new ? O_EXCL : 0) | (direct ? O_DIRECT : 0);
    return open(path, flags, 0644);
}

int file_stop_direct(int descriptor) {
    int flags = fcntl(descriptor, F_GETFL);
    if (flags == -1) {
        return -1;
    }
    return fcntl(descriptor, F_SETFL, flags & ~O_DIRECT);
}

#if defined(__linux__)
int file_start_writeback(int descriptor, int64_t offset, int64_t count) {
    return sync_file_range(descriptor, offset, count, SYNC_FILE_RANGE_WRITE);
}
#else
int file_start_writeback(int descriptor, int64_t offset, int64_t count) {
    (void)descriptor;
    (void)offset;
    (void)count;
    return 0;
}
#endif
