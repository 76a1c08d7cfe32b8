"""Where a profile's actions lead: one dialog per kind, then the views that show the change.

Pages only say what was asked ("note" for this client); this router owns which dialog answers
and who refreshes afterwards, so neither the pages nor the window grow a switch of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.tasks import DbRunner
from ui.dialogs import (
    AddToWishListDialog,
    BookAppointmentDialog,
    ClientFormDialog,
    LogInteractionDialog,
    NewTaskDialog,
    OperationDialog,
    QuickNoteDialog,
    RecordConsentDialog,
)

# kind -> builder(runner, client id, client name, media folder, parent)
Builder = Callable[[DbRunner, uuid.UUID, str, Path, QWidget], OperationDialog]
BUILDERS: dict[str, Builder] = {
    "note": lambda r, c, n, _m, p: QuickNoteDialog(r, c, n, p),
    "interaction": lambda r, c, n, _m, p: LogInteractionDialog(r, c, n, p),
    "task": lambda r, c, n, _m, p: NewTaskDialog(r, c, n, p),
    "appointment": lambda r, c, n, _m, p: BookAppointmentDialog(r, c, n, p),
    "consent": lambda r, c, n, _m, p: RecordConsentDialog(r, c, n, p),
    # From the Studio: consent to session recording, asked on the video call itself.
    "recording_consent": lambda r, c, n, _m, p: RecordConsentDialog(
        r, c, n, p, channel="video", purpose="session_recording"
    ),
    "wish": lambda r, c, n, m, p: AddToWishListDialog(r, c, n, m, p),
    "edit": lambda r, c, _n, _m, p: ClientFormDialog(r, c, p),
}


class ActionRouter(QObject):
    """Opens the dialog for an action; after a save, calls every `on_change` listener."""

    def __init__(
        self,
        runner: DbRunner,
        media_dir: Path,
        parent_widget: QWidget,
        name_of: Callable[[uuid.UUID], str],
        open_client: Callable[[uuid.UUID], None],
    ) -> None:
        super().__init__(parent_widget)
        self._runner = runner
        self._media_dir = media_dir
        self._parent = parent_widget
        self._name_of = name_of
        self._open_client = open_client
        self._listeners: list[Callable[[], None]] = []
        self.current: OperationDialog | None = None

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def request(self, kind: str, client_id: uuid.UUID | None) -> None:
        if kind == "new":
            self.show(ClientFormDialog(self._runner, None, self._parent), opens_result=True)
            return
        builder = BUILDERS.get(kind)
        if builder is None or client_id is None:
            return
        dialog = builder(
            self._runner, client_id, self._name_of(client_id), self._media_dir, self._parent
        )
        self.show(dialog, opens_result=False)

    def show(self, dialog: OperationDialog, opens_result: bool) -> None:
        self.current = dialog
        dialog.saved.connect(self._changed)
        if opens_result:
            dialog.saved.connect(self._open_result)
        if isinstance(dialog, ClientFormDialog):
            dialog.open_existing.connect(self._open_client)
        dialog.finished.connect(lambda _code: self._forget(dialog))
        dialog.open()  # window-modal, without a nested event loop

    def _forget(self, dialog: OperationDialog) -> None:
        if self.current is dialog:
            self.current = None
        dialog.deleteLater()

    def _open_result(self, result: object) -> None:
        if isinstance(result, uuid.UUID):
            self._open_client(result)

    def _changed(self, _result: object) -> None:
        for listener in self._listeners:
            listener()
