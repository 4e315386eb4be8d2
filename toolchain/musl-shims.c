/* glibc-internal symbols that the linux-x64 NativeAOT static libraries (built against glibc headers)
 * reference and musl does not export. Each forwards to the standard function musl has. */
#include <string.h>

char *__strdup(const char *s)
{
    return strdup(s);
}
