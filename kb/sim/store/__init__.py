"""The information store (Store.exe): mailboxes and folders, the IMS's MTS-IN/MTS-OUT queues,
submission, content conversion (IMAIL), report generation, storage limits and Inbox rules.

In Exchange 5.5 IMAIL conversion and gateway report generation run inside the store
(ims-domain §2.1, §2.5.1); behaviour here switches on the Store.exe build.
"""
