"""The client book's data: entities, the local SQLite store, search and migrations.

No Qt here; every function takes a SQLAlchemy session or connection.
"""

from models.activity import (
    Appointment,
    ClosetItem,
    ConsentEvent,
    Interaction,
    Note,
    Purchase,
    PurchaseLine,
    Task,
    WishListItem,
)
from models.base import AppendOnly, Base, Entity
from models.catalog import Product, ProductImage, StockLevel
from models.client import (
    Client,
    ClientEmail,
    ClientPhone,
    ClientPreference,
    ClientSize,
    ClientTag,
    ImportantDate,
)
from models.local import ClientStats, LocalMeta, SyncConflict, SyncOutbox
from models.org import Associate, Store
from models.studio import StudioMarker, StudioSession

__all__ = [
    "AppendOnly",
    "Appointment",
    "Associate",
    "Base",
    "Client",
    "ClientEmail",
    "ClientPhone",
    "ClientPreference",
    "ClientSize",
    "ClientStats",
    "ClientTag",
    "ClosetItem",
    "ConsentEvent",
    "Entity",
    "ImportantDate",
    "Interaction",
    "LocalMeta",
    "Note",
    "Product",
    "ProductImage",
    "Purchase",
    "PurchaseLine",
    "StockLevel",
    "Store",
    "StudioMarker",
    "StudioSession",
    "SyncConflict",
    "SyncOutbox",
    "Task",
    "WishListItem",
]
