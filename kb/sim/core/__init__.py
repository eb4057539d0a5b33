"""The shared vocabulary of every room: builds, virtual time, the event log, MAPI messages, P1 envelopes, the directory.

Nothing here imports another part of kb.sim: the store, the MTA, the IMS and the outside world
all speak these types, and the assembly layer (kb.sim.org) wires the rooms together.
"""
