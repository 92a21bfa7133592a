/* SSSE3's byte shuffle, for the passes that classify 16 bytes at a time by
 * their nibbles (rules.c's requires pass, startfilter.c's search,
 * phrase.c's start positions), and
 * AVX2's, 32 at a time. The build's baseline is SSE2, so callers ask the
 * CPU at run time (hm_cpu_has_shuffle, hm_cpu_has_wide_shuffle) and keep a
 * byte loop for CPUs without them. */
#ifndef HM_SHUFFLE_H
#define HM_SHUFFLE_H

#if defined(__SSE2__) && defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define HM_HAVE_SHUFFLE 1
#include <stdbool.h>
#include <immintrin.h>

static inline bool hm_cpu_has_shuffle(void)
{
    return __builtin_cpu_supports("ssse3");
}

/* For each of the 16 bytes of v: lo_tab[its low nibble] & hi_tab[its high
 * nibble]. Call it only from a function built for SSSE3. */
__attribute__((target("ssse3"))) static inline __m128i hm_nibble_lookup(__m128i v, __m128i lo_tab, __m128i hi_tab)
{
    const __m128i low = _mm_set1_epi8(0x0F);
    return _mm_and_si128(_mm_shuffle_epi8(lo_tab, _mm_and_si128(v, low)),
                         _mm_shuffle_epi8(hi_tab, _mm_and_si128(_mm_srli_epi16(v, 4), low)));
}

static inline bool hm_cpu_has_wide_shuffle(void)
{
    return __builtin_cpu_supports("avx2");
}

/* hm_nibble_lookup for the 32 bytes of v, each 16-byte half by the same
 * tables (lo_tab and hi_tab hold them twice). Call it only from a function
 * built for AVX2. */
__attribute__((target("avx2"))) static inline __m256i hm_nibble_lookup_wide(__m256i v, __m256i lo_tab,
                                                                           __m256i hi_tab)
{
    const __m256i low = _mm256_set1_epi8(0x0F);
    return _mm256_and_si256(_mm256_shuffle_epi8(lo_tab, _mm256_and_si256(v, low)),
                            _mm256_shuffle_epi8(hi_tab, _mm256_and_si256(_mm256_srli_epi16(v, 4), low)));
}
#endif

#endif
