"""The real client address: one rule for allauth's rate limits and our own.

Behind a reverse proxy every request comes from the proxy's address (REMOTE_ADDR), so
counting per REMOTE_ADDR counts everyone together and one client's failures lock out
all. Forwarding headers, though, are written by whoever sends the request: only the
entries our own proxies added can be believed. Settings (musicbeats/settings.py, the
same values allauth gets as ALLAUTH_TRUSTED_*):

- neither set (direct, the default): REMOTE_ADDR; X-Forwarded-For is ignored;
- TRUSTED_PROXY_COUNT = N: the N-th entry of X-Forwarded-For counted from the right,
  the address our outermost proxy saw; whatever the client wrote to the left of it is
  ignored. A request that reached the app without passing all N proxies (fewer
  entries) is taken at its left-most entry, never refused with an error;
- TRUSTED_CLIENT_IP_HEADER = "X-Real-IP" (or "CF-Connecting-IP"…): that header, which
  the proxy overwrites.

A value that is not an IP address is ignored in favour of REMOTE_ADDR.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent `request`, as far as our proxies vouch."""
    header = getattr(settings, "TRUSTED_CLIENT_IP_HEADER", None)
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    ip = None
    if header:
        ip = _clean(request.headers.get(header))
    elif count > 0:
        hops = [hop for hop in request.headers.get("x-forwarded-for", "").split(",")]
        if hops and hops != [""]:
            ip = _clean(hops[-count] if len(hops) >= count else hops[0])
    return ip or _clean(request.META.get("REMOTE_ADDR")) or "0.0.0.0"  # noqa: S104


def client_key(request: HttpRequest) -> str:
    """`client_ip`, with an IPv6 client counted per /64 (one household or phone owns a
    whole network), for per-client counters."""
    ip = client_ip(request)
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return ip
