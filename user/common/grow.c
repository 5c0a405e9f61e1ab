#include "common/grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int tl_grow(char **buf, size_t *cap, size_t len, size_t n, size_t min)
{
	size_t c = *cap ? *cap : min;
	char *p;

	if (n > SIZE_MAX / 2 - len)
		return -ENOMEM;
	while (n > c - len)
		c *= 2;
	p = realloc(*buf, c);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = c;
	return 0;
}
