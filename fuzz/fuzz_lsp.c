/* libFuzzer harness: the language server's message reader and handlers.
 * The input is what a client writes to the server's stdin: it is put on a
 * memory file behind fd 0, the replies go to /dev/null. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int devnull = -1;
    if (devnull < 0) {
        devnull = open("/dev/null", O_WRONLY);
        setenv("HISTMARK_LSP_FRAME_TIMEOUT", "50", 1);
    }
    int fd = memfd_create("lsp-input", 0);
    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    lseek(fd, 0, SEEK_SET);
    int saved_in = dup(0), saved_out = dup(1);
    dup2(fd, 0);
    dup2(devnull, 1);
    char *argv[] = {"lsp", NULL};
    hm_lsp_main(1, argv);
    dup2(saved_in, 0);
    dup2(saved_out, 1);
    close(saved_in);
    close(saved_out);
    close(fd);
    return 0;
}
