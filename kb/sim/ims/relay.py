"""Relay restrictions: RelayFlags and the allow/deny/local IP lists (Q193922)."""

from __future__ import annotations

import ipaddress

from kb.sim.ims.config import RelayRules

DENY, ALLOW, LOCAL, AUTHENTICATED = 1, 2, 4, 8


def _in_list(ip: str, entries: list[str]) -> bool:
    """Return True when ``ip`` matches an entry ``net[;mask]`` ((IP AND mask) = net)."""
    try:
        address = int(ipaddress.IPv4Address(ip))
    except ValueError:
        return False
    for entry in entries:
        net, _, mask = entry.partition(";")
        try:
            net_i = int(ipaddress.IPv4Address(net.strip()))
            mask_i = int(ipaddress.IPv4Address((mask or "255.255.255.255").strip()))
        except ValueError:
            continue
        if address & mask_i == net_i:
            return True
    return False


def may_relay(rules: RelayRules, ip: str, authenticated: bool = False) -> bool:
    """Return True when a client at ``ip`` may relay.

    A client may relay only if a rule allows it, except when only bit 1 (deny list) is set: then
    everyone not denied may relay (Q193922). No flags at all means no restriction (Q260562).
    """
    if rules.flags & DENY and _in_list(ip, rules.deny):
        return False
    if rules.flags & ~DENY == 0:
        return True
    return bool(
        (rules.flags & ALLOW and _in_list(ip, rules.allow))
        or (rules.flags & LOCAL and _in_list(ip, rules.local_ip))
        or (rules.flags & AUTHENTICATED and authenticated)
    )
