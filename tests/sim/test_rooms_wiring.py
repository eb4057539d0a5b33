"""The rooms work with any component that offers the interfaces of kb.sim.core.ports, not only with each other."""

from __future__ import annotations

from kb.sim.core.builds import resolve
from kb.sim.core.clock import VirtualClock
from kb.sim.core.directory import Directory, Mailbox
from kb.sim.core.eventlog import EventLog
from kb.sim.core.message import MapiMessage, RecipientRow
from kb.sim.core.p1 import Transfer
from kb.sim.core.server import Server
from kb.sim.mta.agent import MessageTransferAgent
from kb.sim.store.infostore import IMS_FOLDERS, InformationStore


class RecordingGateway:
    """A stand-in IMS: counts the wake-ups the MTA gives it and holds nothing."""

    def __init__(self) -> None:
        self.wakes = 0

    def wake_outbound(self) -> None:
        self.wakes += 1

    def held_messages(self) -> list[MapiMessage]:
        return []


def server_with_store_and_mta() -> tuple[Server, InformationStore, MessageTransferAgent, RecordingGateway]:
    clock = VirtualClock()
    server = Server(resolve("Exchange Server 5.5 SP4"), clock, EventLog(clock, "EXCH01"), Directory(),
                    organisation="Contoso", site="Redmond", name="EXCH01", domain="contoso.com")
    store = InformationStore(server)
    mta = MessageTransferAgent(server, store, store.reports)
    gateway = RecordingGateway()
    mta.connect(gateway=gateway)
    store.connect(mta=mta, gateway=gateway)
    store.create_mailbox(server.ims_mailbox, IMS_FOLDERS)
    for alias in ("alice", "bob"):
        server.directory.add(Mailbox(alias, alias.title(), [f"{alias}@contoso.com"]))
        store.create_mailbox(alias)
    return server, store, mta, gateway


def message(store: InformationStore, *rows: RecipientRow) -> MapiMessage:
    return MapiMessage(entry_id=store.new_entry_id(), subject="hello", sender="alice@contoso.com",
                       sender_name="Alice", recipients=list(rows))


def test_a_store_and_an_mta_deliver_locally_without_an_organisation() -> None:
    server, store, mta, gateway = server_with_store_and_mta()
    store.submit("alice", message(store, RecipientRow(1, "bob@contoso.com", "SMTP", "Bob", entry="bob")))
    server.clock.run()
    assert [m.subject for m in store.folder("bob", "Inbox")] == ["hello"]
    assert gateway.wakes == 0


def test_the_mta_puts_an_internet_recipient_into_mts_out_as_a_p1_transfer_and_wakes_the_gateway() -> None:
    server, store, mta, gateway = server_with_store_and_mta()
    sent = store.submit("alice", message(store, RecipientRow(1, "carol@example.net")))
    server.clock.run()
    [transfer] = store.queue("MTS-OUT")
    assert isinstance(transfer, Transfer)
    assert (transfer.message is sent, [r.address for r in transfer.recipients], gateway.wakes) == (
        True, ["carol@example.net"], 1)


def test_a_stopped_mta_leaves_inbound_mail_waiting_in_mts_in_until_it_starts() -> None:
    server, store, mta, gateway = server_with_store_and_mta()
    mta.stop()
    inbound = message(store, RecipientRow(1, "bob@contoso.com", "SMTP", "Bob", entry="bob"))
    store.transfer_in(inbound)
    assert store.queue("MTS-IN") == [inbound] and store.folder("bob", "Inbox") == []
    mta.start()
    assert store.queue("MTS-IN") == [] and [m.subject for m in store.folder("bob", "Inbox")] == ["hello"]
