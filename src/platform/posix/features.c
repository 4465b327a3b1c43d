/* posix/features: the Linux build has every feature: nothing is refused
 * here (platform.h); each flag's own checks are in cli/options.c. */
#include "platform/platform.h"

const char *platform_refuse(const struct options *o, const char **why)
{
	*why = NULL;
	return NULL;
}
