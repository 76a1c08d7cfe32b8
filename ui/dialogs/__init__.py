"""Operation dialogs: each collects one form, saves it on the database thread and says so."""

from ui.dialogs.activity import (
    BookAppointmentDialog,
    LogInteractionDialog,
    NewTaskDialog,
    QuickNoteDialog,
)
from ui.dialogs.base import OperationDialog
from ui.dialogs.catalog_picker import AddToWishListDialog
from ui.dialogs.client_form import ClientFormDialog
from ui.dialogs.consent import RecordConsentDialog

__all__ = [
    "AddToWishListDialog",
    "BookAppointmentDialog",
    "ClientFormDialog",
    "LogInteractionDialog",
    "NewTaskDialog",
    "OperationDialog",
    "QuickNoteDialog",
    "RecordConsentDialog",
]
