"""Release catalogue (data + loader) and the affected/fixed lattice of a status block."""

from kb.releases.catalogue import Catalogue, FixToken, Line, Release, load_catalogue, normalize_name
from kb.releases.lattice import LatticeEntry, lattice

__all__ = ["Catalogue", "FixToken", "LatticeEntry", "Line", "Release", "lattice", "load_catalogue", "normalize_name"]
