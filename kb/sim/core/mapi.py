"""MAPI error codes, errors and limits the simulated components return to each other.

The store's gateways (the IMS) see the store only through MAPI: these are the errors it raises
across that interface (kb.sim.store raises them, kb.sim.ims catches them).
"""

from __future__ import annotations

MAPI_E_CALL_FAILED = 0x80004005  # also E_FAIL
MAPI_E_NOT_ENOUGH_MEMORY = 0x8007000E
MAPI_E_NOT_FOUND = 0x8004010F
MAPI_E_INVALID_PARAMETER = 0x80070057
MAPI_E_TOO_BIG = 0x80040305
MAPI_E_NETWORK_ERROR = 0x80040115  # the store went away under the caller (3039, Q166558)

NAMES = {
    MAPI_E_CALL_FAILED: "MAPI_E_CALL_FAILED",
    MAPI_E_NOT_ENOUGH_MEMORY: "MAPI_E_NOT_ENOUGH_MEMORY",
    MAPI_E_NOT_FOUND: "MAPI_E_NOT_FOUND",
    MAPI_E_INVALID_PARAMETER: "MAPI_E_INVALID_PARAMETER",
    MAPI_E_TOO_BIG: "MAPI_E_TOO_BIG",
    MAPI_E_NETWORK_ERROR: "MAPI_E_NETWORK_ERROR",
}


class MapiError(Exception):
    """A failed MAPI call between components (not a user error): carries the HRESULT."""

    def __init__(self, hresult: int, detail: str = "") -> None:
        self.hresult = hresult
        self.detail = detail
        super().__init__(f"{NAMES.get(hresult, hex(hresult))} (0x{hresult:08X}){': ' + detail if detail else ''}")


# "The Exchange memory manager enforces a limit of 32 KB per remote procedure call (RPC)"; a
# property fetch over it fails with 0x8007000E although nothing is out of memory (Q193639).
RPC_LIMIT_BYTES = 32 * 1024
# IMAIL's hop-count error: more Received lines than the converter allows (IS 12071, Q260247).
IMAIL_E_HOP_COUNT = 0x80040C02


class ConversionError(MapiError):
    """The converter could not turn the content into the other form."""

    def __init__(self, detail: str) -> None:
        super().__init__(MAPI_E_CALL_FAILED, detail)


class RecipientLimitError(MapiError):
    """A submit refused under the store limit "Max Recipients on Submit" (Q246051): E_FAIL."""

    def __init__(self, count: int, limit: int, spool_name: str = "", ndr_count: int = 0) -> None:
        self.count = count
        self.limit = limit
        detail = f"{count} recipients exceed Max Recipients on Submit ({limit})"
        if ndr_count:
            detail += f"; the store's NDR ({ndr_count} recipients with the embedded message) was refused too"
        super().__init__(MAPI_E_CALL_FAILED, detail + (f" [{spool_name}]" if spool_name else ""))
