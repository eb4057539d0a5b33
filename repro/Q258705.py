"""Q258705 — XADM: Site Addressing Generates Wrong SMTP Addr. for "%g.%s.%m".

From the article:
- Trigger: site addressing ``%g.%s.%m`` and a mailbox with no given name and no surname.
- Symptom: the SMTP address is ``<alias>.<alias>`` instead of ``<alias>``.
- Cause: "when a user has no last name, the alias is copied to the last name field in the
  recipient information structure before the recipient information is passed to the proxy
  generator."
- Affected: Exchange Server 5.5; first corrected in SP4 (fix list Q274832).

Modelled assumptions (not in the article):
- The mailbox ``scanner`` (display name "Scanner", no names); the SP4 result ``scanner@contoso.com``
  drops the empty fields' periods. No file build is named, so the switch is the SP4 IMS build
  series (the generator ships with the IMS, "Component: SMTP" in Q230331).
- Control: Ann Lee (both names) gets ``Ann.Lee.alee@contoso.com`` on every build.
"""

from __future__ import annotations

from kb.repro import Observation
from kb.sim import Organisation

TEMPLATE = "%g.%s.%m@contoso.com"


def run(release: str) -> Observation:
    """Reproduce Q258705 on ``release``."""
    org = Organisation(release)
    org.site_smtp_template = TEMPLATE
    scanner = org.add_mailbox("scanner", "Scanner")
    ann = org.add_mailbox("alee", "Ann Lee", given="Ann", surname="Lee")
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}",
                  f"site addressing SMTP template: {TEMPLATE}",
                  f"alias scanner, no given name or surname -> {scanner.smtp[0]}",
                  f"control: Ann Lee -> {ann.smtp[0]}"]
    symptom = scanner.smtp[0].lower() == "scanner.scanner@contoso.com"
    transcript.append("symptom: the address repeats the alias (<alias>.<alias>)" if symptom
                      else "no symptom: the address is the alias")
    return Observation(symptom=symptom, evidence={"no_names": scanner.smtp[0], "control_both_names": ann.smtp[0]},
                       transcript=transcript)
