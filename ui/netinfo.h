/* SPDX-License-Identifier: MIT */
/* The booth's network identity for the owner menu: its host name and its addresses. */
#ifndef BOOTH_UI_NETINFO_H
#define BOOTH_UI_NETINFO_H

#include <stddef.h>

#define NETINFO_ADDR_MAX 64

/* The host name into HOST (HOSTLEN bytes) and up to MAX addresses of interfaces that are up,
 * IPv4 first, then IPv6 (loopback left out; IPv6 link-local ones marked "%ifname"), each
 * "ADDRESS (IFNAME)", into ADDRS. Returns how many addresses, or -errno. */
int netinfo_read(char *host, size_t hostlen, char (*addrs)[NETINFO_ADDR_MAX], int max);

#endif
