/* SHA-256 (FIPS 180-4): the key and the integrity check of cached
 * configuration snapshots. Not for secrets: no attempt at constant time. */
#ifndef HM_SHA256_H
#define HM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define HM_SHA256_LEN 32

void hm_sha256(const void *data, size_t len, unsigned char out[HM_SHA256_LEN]);

#endif
