/* What the build tools share to write a generated C file: the file is
 * written under a temporary name and renamed when complete, so a failed or
 * parallel build never leaves half a file for the compiler; byte arrays are
 * written as C initialisers. */
#ifndef HM_GENC_H
#define HM_GENC_H

#include <stdio.h>
#include <unistd.h>

/* Opens the temporary file for `output`; its name is left in tmp. */
static FILE *genc_open(const char *output, char *tmp, size_t tmp_size)
{
    snprintf(tmp, tmp_size, "%s.%ld.tmp", output, (long)getpid());
    FILE *out = fopen(tmp, "w");
    if (!out)
        perror(tmp);
    return out;
}

/* Closes and renames it into place; on any failure removes it. 0: done. */
static int genc_close(FILE *out, const char *tmp, const char *output)
{
    if (fclose(out) != 0 || rename(tmp, output) != 0) {
        perror(output);
        remove(tmp);
        return 1;
    }
    return 0;
}

/* A static array NAME_I of the bytes, aligned (PCRE2 reads a serialized
 * header in place) and followed by a NUL (the YAML loaders expect one). */
static void genc_bytes(FILE *out, const char *name, size_t i, const unsigned char *p, size_t n)
{
    fprintf(out, "static _Alignas(16) const unsigned char %s_%zu[] = {", name, i);
    for (size_t k = 0; k < n; k++)
        fprintf(out, "%s0x%02x,", k % 16 ? "" : "\n", p[k]);
    fputs("0x00};\n\n", out);
}

#endif
