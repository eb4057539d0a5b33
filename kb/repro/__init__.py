"""Repro scripts: what they return (Observation) and how they are loaded and run."""

from kb.repro.observation import Observation, smtp_lines

__all__ = ["Observation", "smtp_lines"]
