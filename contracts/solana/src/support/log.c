#include "ac/log.h"

/* Bounded: the program's messages are short literals. */
u64 ac_strlen(const char *s) {
  u64 n = 0;
  while (n < 256 && s[n]) n++;
  return n;
}
