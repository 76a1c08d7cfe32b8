"""What a job's callbacks hold is released on the GUI thread, never on the database thread."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from PySide6.QtWidgets import QApplication

from app.tasks import DbRunner


class Witness:
    """Records the thread it dies on, like a widget whose destructor must run on the GUI."""

    died_on: ClassVar[list[str]] = []

    def __del__(self) -> None:
        Witness.died_on.append(threading.current_thread().name)


def test_callbacks_die_on_the_gui_thread(qapp: QApplication, runner: DbRunner) -> None:
    Witness.died_on = []
    delivered: list[int] = []
    for n in range(200):
        witness = Witness()
        runner.submit(
            lambda s, w=witness: s.clients.count(),
            lambda count, w=witness, n=n: delivered.append(n),
        )
        del witness
        # Deliver as eagerly as possible: the race is the GUI finishing before the worker.
        while len(delivered) <= n:
            qapp.processEvents()
    runner.shutdown()
    gc.collect()
    assert len(Witness.died_on) == 200
    assert set(Witness.died_on) == {threading.main_thread().name}
