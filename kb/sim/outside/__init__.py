"""The world outside the organisation: DNS zones and the remote SMTP hosts the IMS talks to."""
