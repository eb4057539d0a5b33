"""MAPI error codes the simulated components return to each other."""

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
