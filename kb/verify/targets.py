"""Articles to run: moved to ``kb.repro.targets`` (a single run needs it too).

Kept so that ``from kb.verify.targets import ...`` goes on working.
"""

from kb.repro.targets import RECORD_SUFFIXES, Target, find_record, load_target, record_files, select_targets

__all__ = ["RECORD_SUFFIXES", "Target", "find_record", "load_target", "record_files", "select_targets"]
