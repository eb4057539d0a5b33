"""What each release should show: moved to ``kb.repro.expectations`` (a single run needs it too).

Kept so that ``from kb.verify.expectations import ...`` goes on working.
"""

from kb.repro.expectations import (EXPECTED_VALUES, STATE_TO_EXPECTED, Expectation, LatticeFunction, expectations,
                                   overlay_base)

__all__ = ["EXPECTED_VALUES", "STATE_TO_EXPECTED", "Expectation", "LatticeFunction", "expectations", "overlay_base"]
