"""Q258704 — XIMS: SMTP Proxy Adds Trailing Period (.) for Template.

From the article:
- Trigger: the SMTP proxy generator "set for last.first@<companyname>.com" and a mailbox whose
  First Name field is blank.
- Symptom: "the trailing period after the last name remains in the SMTP address".
- Cause: "Proxy generator for SMTP was not checking for a trailing period."
- Affected: Exchange Server 5.5, SP1, SP2, SP3; first corrected in SP4 (fix list Q274832).

Modelled assumptions (not in the article):
- The template ``%s.%g@contoso.com``; a mailbox "Lab Printer" with surname Printer and no first
  name. The SP4 generator drops the trailing period: ``Printer@contoso.com``. No file build is
  named, so the switch is the SP4 IMS build series.
- Control: Ann Lee (both names) gets ``Lee.Ann@contoso.com`` on every build.
"""

from __future__ import annotations

from kb.repro import Observation
from kb.sim import Organisation

TEMPLATE = "%s.%g@contoso.com"


def run(release: str) -> Observation:
    """Reproduce Q258704 on ``release``."""
    org = Organisation(release)
    org.site_smtp_template = TEMPLATE
    printer = org.add_mailbox("labprn", "Lab Printer", surname="Printer")
    ann = org.add_mailbox("alee", "Ann Lee", given="Ann", surname="Lee")
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}",
                  f"site addressing SMTP template: {TEMPLATE}",
                  f"surname Printer, blank first name -> {printer.smtp[0]}",
                  f"control: Ann Lee -> {ann.smtp[0]}"]
    symptom = printer.smtp[0].partition("@")[0].endswith(".")
    transcript.append("symptom: the generated address keeps a trailing period" if symptom
                      else "no symptom: no trailing period in the generated address")
    return Observation(symptom=symptom, evidence={"blank_first_name": printer.smtp[0], "control_both_names": ann.smtp[0]},
                       transcript=transcript)
