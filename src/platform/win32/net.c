/* win32/net: statsd's UDP socket with Winsock (platform.h; WSAStartup is
 * in platform_start). */
#include "platform/platform.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

/* Winsock's last error in words. */
static void wsa_error(char *why, size_t whylen)
{
	int e = WSAGetLastError();
	char msg[200] = "";
	if (!FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD)e, 0,
			    msg, sizeof msg, NULL))
		msg[0] = 0;
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == '.'))
		msg[--n] = 0;
	snprintf(why, whylen, "%s (Winsock error %d)", *msg ? msg : "error", e);
}

intptr_t platform_udp_connect(const char *host, const char *port, char *why, size_t whylen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(why, whylen, "%s", gai_strerrorA(rc));
		return -1;
	}
	SOCKET s = INVALID_SOCKET;
	for (struct addrinfo *ai = res; ai && s == INVALID_SOCKET; ai = ai->ai_next) {
		s = socket(ai->ai_family, SOCK_DGRAM, 0);
		u_long on = 1;
		if (s != INVALID_SOCKET && (ioctlsocket(s, FIONBIO, &on) != 0 ||
					    connect(s, ai->ai_addr, (int)ai->ai_addrlen) != 0)) {
			wsa_error(why, whylen);
			closesocket(s);
			s = INVALID_SOCKET;
		} else if (s == INVALID_SOCKET) {
			wsa_error(why, whylen);
		}
	}
	freeaddrinfo(res);
	return s == INVALID_SOCKET ? -1 : (intptr_t)s;
}

int platform_udp_send(intptr_t s, const void *p, size_t n, char *why, size_t whylen)
{
	if (send((SOCKET)s, p, (int)n, 0) == SOCKET_ERROR) {
		wsa_error(why, whylen);
		return -1;
	}
	return 0;
}

void platform_udp_close(intptr_t s)
{
	closesocket((SOCKET)s);
}
