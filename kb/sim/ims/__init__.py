"""The Internet Mail Service (Msexcimc.exe): outbound and inbound paths around the store.

``service`` (InternetMailService) builds the parts: ``config`` (ImsConfig), ``spool`` (Imcdata
directories), ``protolog``/``loglevels`` (the protocol log), ``outbound`` (MTS-OUT -> SMTP),
``smtp_out`` (the SMTP client), ``session`` (the inbound SMTP session), ``inbound`` (IN spool ->
MTS-IN), ``ndr`` (IMS side of NDRs), ``pickup``, ``extension``; ``smtp_face`` puts a real SMTP listener (aiosmtpd) in front of it.
The parts see the service through ``context.Ims`` and the other rooms through kb.sim.core.ports.
Behaviour switches compare the Msexcimc.exe build.
"""

#: The event source of every event the IMS logs (Event Viewer, Application log).
SOURCE = "MSExchangeIMC"
