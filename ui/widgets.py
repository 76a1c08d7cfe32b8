"""Small helpers shared by the pages' widget code."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, object_name: str) -> W:
    """The widget, with the object name the stylesheet addresses it by."""
    widget.setObjectName(object_name)
    return widget
