/* addr: text form of the addresses the decoder extracts. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "decode/packet.h"

const char *addr_ntop(const struct addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a, buf, (socklen_t)len))
		buf[0] = 0;
	return buf;
}
