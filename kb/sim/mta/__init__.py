"""The message transfer agent (Emsmta.exe): routing, distribution list expansion, deferred
delivery, the MTA's own NDRs and the X.400 connector to foreign MTAs; switches on the MTA build.
"""
