/* SPDX-License-Identifier: MIT */
/* Host name and interface addresses (getifaddrs) for the owner menu's network page. */
#include "netinfo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Append the addresses of family FAMILY to ADDRS from *N on; returns the new count. */
static int collect(const struct ifaddrs *list, int family, char (*addrs)[NETINFO_ADDR_MAX], int n,
		   int max)
{
	for (const struct ifaddrs *i = list; i && n < max; i = i->ifa_next) {
		char a[INET6_ADDRSTRLEN];
		const void *bin;

		if (!i->ifa_addr || i->ifa_addr->sa_family != family || !(i->ifa_flags & IFF_UP) ||
		    (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (family == AF_INET)
			bin = &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
		else
			bin = &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;
		if (!inet_ntop(family, bin, a, sizeof(a)))
			continue;
		/* A link-local IPv6 address is only usable with its interface. */
		if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)bin))
			snprintf(addrs[n++], NETINFO_ADDR_MAX, "%s%%%s", a, i->ifa_name);
		else
			snprintf(addrs[n++], NETINFO_ADDR_MAX, "%s (%s)", a, i->ifa_name);
	}
	return n;
}

int netinfo_read(char *host, size_t hostlen, char (*addrs)[NETINFO_ADDR_MAX], int max)
{
	struct ifaddrs *list = NULL;
	int n;

	if (hostlen == 0)
		return -EINVAL;
	if (gethostname(host, hostlen) < 0)
		return -errno;
	host[hostlen - 1] = '\0';
	if (getifaddrs(&list) < 0)
		return -errno;
	n = collect(list, AF_INET, addrs, 0, max);
	n = collect(list, AF_INET6, addrs, n, max);
	freeifaddrs(list);
	return n;
}
