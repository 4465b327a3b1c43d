/* posix/profiler: -cpuprofile with gperftools (platform.h).  Linked into
 * pdnslog only, not into the unit tests and fuzzers (Makefile: MAIN). */
#include "platform/platform.h"

#include <gperftools/profiler.h>

bool platform_profiler_start(const char *path)
{
	return ProfilerStart(path) != 0;
}

void platform_profiler_stop(void)
{
	ProfilerStop();
}
