"""Q230331 — XFOR: SMTP Address Generator Includes Consecutive Periods.

From the article:
- Trigger: the site SMTP proxy template ``%g.%1i.%s@<domain_name>.com`` and a mailbox with no
  middle initial (the article's example: John Doe).
- Symptom: "an illegal SMTP address may be generated": ``John..Doe@<domain_name>.com``.
- Cause: "The logic in the address generator does not look to see if a consecutive multiple
  period sequence is included in the address."
- Affected: Exchange Server 5.5; first fixed in SP3 (Inproxy.dll 5.5.2596.0, "Component: SMTP").

Modelled assumptions (not in the article):
- The fixed generator collapses the run of periods: ``John.Doe@contoso.com``.
- Control: Jane Q. Roe (with a middle initial) gets ``Jane.Q.Roe@contoso.com`` on every build.
"""

from __future__ import annotations

from kb.repro import Observation
from kb.sim import Organisation

TEMPLATE = "%g.%1i.%s@contoso.com"


def run(release: str) -> Observation:
    """Reproduce Q230331 on ``release``."""
    org = Organisation(release)
    org.site_smtp_template = TEMPLATE
    john = org.add_mailbox("jdoe", "John Doe", given="John", surname="Doe")
    jane = org.add_mailbox("jroe", "Jane Q. Roe", given="Jane", initials="Q", surname="Roe")
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}",
                  f"site addressing SMTP template: {TEMPLATE}",
                  f"John Doe (no middle initial) -> {john.smtp[0]}",
                  f"control: Jane Q. Roe -> {jane.smtp[0]}"]
    symptom = ".." in john.smtp[0].partition("@")[0]
    transcript.append("symptom: the generated address holds consecutive periods" if symptom
                      else "no symptom: the generated address is legal")
    return Observation(symptom=symptom, evidence={"no_initial": john.smtp[0], "control_with_initial": jane.smtp[0]},
                       transcript=transcript)
