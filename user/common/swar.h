/* Tests on the eight bytes of a word at once, for the scans that copy text
 * while every byte stands for itself (JSON strings, the text timeline's
 * wire bytes): a byte at a time was most of their cost. Each test returns
 * a word whose 0x80 bits mark bytes; a borrow can mark a byte above a true
 * one but never stands alone, so "any byte" answers are exact. */
#ifndef TL_SWAR_H
#define TL_SWAR_H

#include <stdint.h>

#define TL_SWAR_ONES 0x0101010101010101ULL
#define TL_SWAR_HIGHS 0x8080808080808080ULL

/* Bytes below n (n <= 0x80). */
static inline uint64_t tl_swar_below(uint64_t w, uint8_t n)
{
	return (w - TL_SWAR_ONES * n) & ~w & TL_SWAR_HIGHS;
}

/* Bytes equal to c. */
static inline uint64_t tl_swar_eq(uint64_t w, uint8_t c)
{
	return tl_swar_below(w ^ (TL_SWAR_ONES * c), 1);
}

/* Bytes at or above 0x80. */
static inline uint64_t tl_swar_high(uint64_t w) { return w & TL_SWAR_HIGHS; }

#endif
