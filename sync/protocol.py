"""Constants both ends of the sync protocol agree on."""

from __future__ import annotations

# The wire schema. The server answers the current version and the one before it; changes to
# the wire are additive, so an older workstation keeps syncing through an upgrade of the server.
SCHEMA_VERSION = 1
SCHEMA_HEADER = "X-Vitrine-Schema"

MAX_PUSH = 500  # mutations per push request
MAX_PULL = 1000  # ops per pull page
SNAPSHOT_CLIENTS = 200  # clients per snapshot page (with all their rows)

# A workstation whose clock is further than this from the server's does not sync until the
# clock is put right: its edits would otherwise win or lose by the clock, not by who came last.
MAX_SKEW_MS = 5 * 60 * 1000
# Stamps more than this far ahead of the server's clock are pulled back to it.
FUTURE_CLAMP_MS = 60 * 1000

# Statuses of a pushed mutation.
APPLIED = "applied"
SUPERSEDED = "superseded"
REJECTED = "rejected"
