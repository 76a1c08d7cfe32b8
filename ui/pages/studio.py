"""Studio: the live picture and the camera's controls, for the operator framing products.

The pad drives while a button is held and stops on release (arrow keys do the same, +/−
zoom, Home goes home). The preset grid recalls on click; Ctrl+click saves the current framing
in that slot; the context menu renames a preset or links the product it frames. Everything
here talks to a `CameraLink`, which never blocks: the camera answers on its own thread.

The preview pulls the newest frame of the video source on a timer at the source's rate and
only paints; decoding, capture and encoding happen elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QObject,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QIcon,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.camera_link import CameraLink
from app.studio_session import RecordingStatus, StudioRecorder
from camera.controller import CameraState
from camera.presets import Preset
from models.dto import ClientProfile
from ui import theme
from ui.format import day_text, time_text, words
from ui.widgets import named

PRESET_SLOTS = 9
PAD = (
    ((-1, 1), "↖", "Up and left"),
    ((0, 1), "↑", "Up"),
    ((1, 1), "↗", "Up and right"),
    ((-1, 0), "←", "Left"),
    (None, "⌂", "Home"),
    ((1, 0), "→", "Right"),
    ((-1, -1), "↙", "Down and left"),
    ((0, -1), "↓", "Down"),
    ((1, -1), "↘", "Down and right"),
)
KEYS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, 1),
    Qt.Key.Key_Down: (0, -1),
}
SLOT_ROLE = Qt.ItemDataRole.UserRole


class PreviewView(QWidget):
    """Paints the newest frame, scaled to fit with its aspect kept. `frames` returns an object
    with `image` (H×W×3 BGR numpy array) or None."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("studioPreview")
        self.setMinimumSize(480, 270)
        self._frames: Callable[[], Any] | None = None
        self._image: QImage | None = None
        self._array: Any = None  # keeps the frame's memory alive while QImage points at it
        self._last_index = -1
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._pull)
        self.placeholder = "No video source"

    def set_source(self, frames: Callable[[], Any] | None, fps: float = 30.0) -> None:
        self._frames = frames
        self._image = None
        if frames is None:
            self._timer.stop()
        else:
            self._timer.start(max(5, int(1000 / max(1.0, fps))))
        self.update()

    def set_still(self, array: Any) -> None:
        """Show this picture (H×W×3 BGR) until the next one."""
        height, width = array.shape[:2]
        self._array = array
        self._image = QImage(
            array.data, width, height, array.strides[0], QImage.Format.Format_BGR888
        )
        self.update()

    def _pull(self) -> None:
        if self._frames is None:
            return
        frame = self._frames()
        if frame is None or getattr(frame, "index", None) == self._last_index:
            return
        self._last_index = getattr(frame, "index", -1)
        array = frame.image
        height, width = array.shape[:2]
        self._array = array
        self._image = QImage(
            array.data, width, height, array.strides[0], QImage.Format.Format_BGR888
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = theme.current()
        painter.fillRect(self.rect(), QColor(palette.screen))
        if self._image is None:
            painter.setPen(QColor(palette.screen_text))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
            return
        size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(self.rect().center())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(target, self._image)


class HoldButton(QToolButton):
    """A button that acts while held: `on_press` at press, `on_release` at release."""

    def __init__(
        self,
        text: str,
        tip: str,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setText(text)
        self.setToolTip(tip)
        self.setAccessibleName(tip)
        self.setObjectName("padButton")
        self.setFixedSize(QSize(44, 44))
        self.setAutoRepeat(False)
        self.pressed.connect(on_press)
        self.released.connect(on_release)


class StudioPage(QWidget):
    action_requested = Signal(str, object)  # ("recording_consent", client id): the form opens

    def __init__(
        self,
        link: CameraLink,
        cameras: list[str],
        recorder: StudioRecorder | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.link = link
        self.recorder = recorder
        self.client: ClientProfile | None = None
        self.products: list[tuple[str, str]] = []  # (sku, name) of the products on the set
        self.setObjectName("studioPage")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._held: set[int] = set()
        self._state: CameraState | None = None
        self._presets: dict[int, Preset] = {}
        self._zoom_dragging = False
        self._shown_at: int | None = None  # the preset the grid shows as current
        self._icons: dict[str, QIcon] = {}  # thumbnails, read once each

        self.preview = PreviewView()
        self.status = named(QLabel("No camera"), "studioStatus")
        self.position = named(QLabel(""), "studioPosition")
        self.off_preset = named(QLabel(""), "studioOffPreset")

        self.camera_picker = QComboBox()
        self.camera_picker.setAccessibleName("Camera")
        self.camera_picker.setToolTip("Which camera the controls drive")
        for url in cameras:
            self.camera_picker.addItem(url, url)
        self.camera_picker.addItem("Add a camera…", None)
        self.camera_picker.activated.connect(self._pick_camera)

        pad = QGridLayout()
        pad.setSpacing(4)
        self.pad_buttons: dict[str, HoldButton] = {}
        for n, (direction, glyph, tip) in enumerate(PAD):
            if direction is None:
                button = HoldButton(glyph, "Home (Home key)", link.home, lambda: None)
            else:
                dx, dy = direction
                button = HoldButton(
                    glyph, f"{tip} (hold; arrow keys)",
                    lambda dx=dx, dy=dy: self.link.drive(dx, dy), self.link.stop,
                )  # fmt: skip
            self.pad_buttons[tip] = button
            pad.addWidget(button, n // 3, n % 3)

        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(1, 24)
        self.speed.setValue(link.speed)
        self.speed.setAccessibleName("Pan and tilt speed")
        self.speed.setToolTip("Pan and tilt speed")
        self.speed.valueChanged.connect(lambda v: setattr(self.link, "speed", v))

        self.zoom_out = HoldButton("−", "Zoom out (hold; − key)",
                                   lambda: self.link.zoom(-1), self.link.zoom_stop)  # fmt: skip
        self.zoom_in = HoldButton("+", "Zoom in (hold; + key)",
                                  lambda: self.link.zoom(1), self.link.zoom_stop)  # fmt: skip
        self.zoom_slider = QSlider(Qt.Orientation.Horizontal)
        self.zoom_slider.setRange(0, 100)
        self.zoom_slider.setAccessibleName("Zoom")
        self.zoom_slider.setToolTip("Zoom: drag and let go to go there")
        self.zoom_slider.sliderPressed.connect(lambda: setattr(self, "_zoom_dragging", True))
        self.zoom_slider.sliderReleased.connect(self._zoom_released)

        focus_row = QHBoxLayout()
        self.focus_group = QButtonGroup(self)
        for mode, text in (("auto", "Auto focus"), ("manual", "Manual"), ("one-push", "One push")):
            button = named(QPushButton(text), "filterChip")
            button.setCheckable(mode != "one-push")
            button.clicked.connect(lambda _=False, m=mode: self.link.focus_mode(m))
            if mode != "one-push":
                self.focus_group.addButton(button)
            focus_row.addWidget(button)

        self.preset_grid = QListWidget()
        self.preset_grid.setObjectName("presetGrid")
        self.preset_grid.setAccessibleName("Presets")
        self.preset_grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.preset_grid.setIconSize(QSize(96, 54))
        self.preset_grid.setGridSize(QSize(112, 96))
        self.preset_grid.setMovement(QListWidget.Movement.Static)
        self.preset_grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.preset_grid.setWordWrap(True)
        self.preset_grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.preset_grid.customContextMenuRequested.connect(self._preset_menu)
        self.preset_grid.viewport().installEventFilter(self)
        self._fill_presets()

        self.client_label = named(
            QLabel("Open a client's profile to record a session"), "studioClient"
        )
        self.appointment = QComboBox()
        self.appointment.setAccessibleName("Appointment")
        self.appointment.setToolTip("The appointment this session belongs to")
        self.consent_label = named(QLabel(""), "studioConsent")
        self.consent_button = named(QPushButton("Record consent…"), "linkButton")
        self.consent_button.setToolTip("Capture the client's consent to session recording now")
        self.consent_button.clicked.connect(self._ask_consent)
        self.record_button = named(QPushButton("● Record"), "primaryButton")
        self.record_button.setToolTip("Start or stop recording this session (Ctrl+R)")
        self.record_button.setShortcut("Ctrl+R")
        self.record_button.clicked.connect(self._toggle_recording)
        self.timer_label = named(QLabel(""), "studioTimer")
        self.dropped_label = named(QLabel(""), "studioDropped")
        self.product_button = QPushButton("Product shown…")
        self.product_button.setToolTip("Mark the product on screen now (Ctrl+M)")
        self.product_button.setShortcut("Ctrl+M")
        self.product_button.clicked.connect(self._mark_product)
        self.note_field = QLineEdit()
        self.note_field.setPlaceholderText("A note at this moment — Enter to add")
        self.note_field.setAccessibleName("Note at this moment")
        self.note_field.returnPressed.connect(self._mark_note)
        self.last_marker = named(QLabel(""), "hint")

        session_row = QHBoxLayout()
        session_row.setSpacing(10)
        session_row.addWidget(self.client_label)
        session_row.addWidget(self.appointment)
        session_row.addWidget(self.consent_label)
        session_row.addWidget(self.consent_button)
        session_row.addStretch(1)
        session_row.addWidget(self.timer_label)
        session_row.addWidget(self.dropped_label)
        session_row.addWidget(self.record_button)
        marker_row = QHBoxLayout()
        marker_row.setSpacing(10)
        marker_row.addWidget(self.product_button)
        marker_row.addWidget(self.note_field, 1)
        marker_row.addWidget(self.last_marker)
        stage = QVBoxLayout()
        stage.setSpacing(10)
        stage.addLayout(session_row)
        stage.addWidget(self.preview, 1)
        stage.addLayout(marker_row)

        controls = QVBoxLayout()
        controls.setSpacing(10)
        controls.addWidget(named(QLabel("Camera"), "sectionTitle"))
        controls.addWidget(self.camera_picker)
        controls.addWidget(self.status)
        controls.addWidget(self.position)
        pad_row = QHBoxLayout()
        pad_row.addLayout(pad)
        pad_row.addStretch(1)
        controls.addLayout(pad_row)
        controls.addWidget(QLabel("Speed"))
        controls.addWidget(self.speed)
        zoom_row = QHBoxLayout()
        zoom_row.addWidget(self.zoom_out)
        zoom_row.addWidget(self.zoom_slider, 1)
        zoom_row.addWidget(self.zoom_in)
        controls.addWidget(QLabel("Zoom"))
        controls.addLayout(zoom_row)
        controls.addLayout(focus_row)
        presets_title = QHBoxLayout()
        presets_title.addWidget(named(QLabel("Presets"), "sectionTitle"))
        presets_title.addStretch(1)
        presets_title.addWidget(self.off_preset)
        controls.addLayout(presets_title)
        hint = named(QLabel("Click to recall · Ctrl+click to save here"), "hint")
        controls.addWidget(hint)
        controls.addWidget(self.preset_grid, 1)
        panel = QFrame()
        panel.setObjectName("studioControls")
        panel.setLayout(controls)
        panel.setFixedWidth(360)

        row = QHBoxLayout(self)
        row.setContentsMargins(16, 16, 16, 16)
        row.setSpacing(16)
        row.addLayout(stage, 1)
        row.addWidget(panel)

        link.stateChanged.connect(self._show_state)
        link.presetsChanged.connect(self._show_presets)
        link.message.connect(self._show_message)
        link.presetRecalled.connect(self._preset_arrived)
        if recorder is not None:
            recorder.started.connect(self._recording_started)
            recorder.progress.connect(self._recording_progress)
            recorder.finished.connect(self._recording_finished)
            recorder.failed.connect(lambda text: self._show_message("error", text))
            recorder.marked.connect(self._marker_saved)
            recorder.consent_needed.connect(lambda _cid, _name: self._show_consent(False))
        self._show_session()

    # --- camera ---------------------------------------------------------------------------

    def _pick_camera(self, index: int) -> None:
        url = self.camera_picker.itemData(index)
        if url is None:
            text, ok = QInputDialog.getText(
                self, "Add a camera",
                "Camera address, e.g. visca+udp://10.0.0.5:52381?profile=sony",
            )  # fmt: skip
            if not ok or not text.strip():
                return
            url = text.strip()
            self.camera_picker.insertItem(self.camera_picker.count() - 1, url, url)
            self.camera_picker.setCurrentIndex(self.camera_picker.count() - 2)
        self.link.open(str(url))

    def _show_state(self, state: CameraState) -> None:
        self._state = state
        if state.connected:
            moving = " · moving" if state.moving else ""
            self.status.setText(f"● Connected{moving}")
            self.status.setProperty("tone", "ok")
        else:
            self.status.setText(f"○ Offline — {state.detail}")
            self.status.setProperty("tone", "alert")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        d = self.link.dialect
        if d is not None and state.pan is not None and state.tilt is not None:
            zoom = "" if state.zoom is None else f" · zoom {100 * state.zoom / d.zoom_max:.0f}%"
            self.position.setText(
                f"Pan {state.pan / d.pan_per_degree:+.1f}° · "
                f"tilt {state.tilt / d.tilt_per_degree:+.1f}°{zoom}"
            )
            if state.zoom is not None and not self._zoom_dragging:
                self.zoom_slider.setValue(round(100 * state.zoom / d.zoom_max))
        elif not state.answers_inquiries:
            self.position.setText("This camera does not report its position")
        if state.preset is not None:
            preset = self._presets.get(state.preset)
            name = f"{state.preset + 1}" + (f" · {preset.name}" if preset else "")
            self.off_preset.setText(f"Off preset {name}" if state.off_preset else f"At {name}")
            self.off_preset.setToolTip(
                "The camera has moved since this preset was recalled" if state.off_preset else ""
            )
        else:
            self.off_preset.setText("")
        at = None if state.off_preset else state.preset
        if at != self._shown_at:  # the grid marks the preset the camera sits on
            self._shown_at = at
            self._fill_presets()

    def _show_message(self, kind: str, text: str) -> None:
        if kind == "error":
            self.status.setToolTip(text)
            window = self.window()
            bar = getattr(window, "statusBar", None)
            if callable(bar):
                bar().showMessage(f"Camera: {text}", 6000)

    def _zoom_released(self) -> None:
        self._zoom_dragging = False
        self.link.zoom_to(self.zoom_slider.value() / 100)

    # --- presets ------------------------------------------------------------------------

    def _show_presets(self, presets: list[Preset]) -> None:
        self._presets = {p.number: p for p in presets}
        self._fill_presets()

    def _fill_presets(self) -> None:
        current = self._state.preset if self._state and not self._state.off_preset else None
        self.preset_grid.clear()
        for slot in range(PRESET_SLOTS):
            preset = self._presets.get(slot)
            if preset is None:
                text = f"{slot + 1}\nEmpty"
            else:
                product = f"\n{preset.sku}" if preset.sku else ""
                text = f"{slot + 1} · {preset.name}{product}"
            item = QListWidgetItem(text)
            item.setData(SLOT_ROLE, slot)
            item.setIcon(self._thumbnail(preset))
            tip = "Click to recall, Ctrl+click to save the current framing here"
            item.setToolTip(tip if preset else "Ctrl+click to save the current framing here")
            self.preset_grid.addItem(item)
            if slot == current:
                item.setSelected(True)

    def _thumbnail(self, preset: Preset | None) -> QIcon:
        if preset is None or not preset.thumbnail:
            pixmap = QPixmap(96, 54)
            palette = theme.current()
            pixmap.fill(QColor(palette.slot if preset is None else palette.slot_saved))
            return QIcon(pixmap)
        key = f"{preset.thumbnail}@{preset.saved_at}"  # a new save writes a new picture
        if key not in self._icons:
            self._icons[key] = QIcon(str(self.link.presets.path.parent / preset.thumbnail))
        return self._icons[key]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.preset_grid.viewport()
            and event.type() == QEvent.Type.MouseButtonRelease
        ):
            mouse = event  # a QMouseEvent
            assert isinstance(mouse, QMouseEvent)
            item = self.preset_grid.itemAt(mouse.position().toPoint())
            if item is not None and mouse.button() == Qt.MouseButton.LeftButton:
                slot = int(item.data(SLOT_ROLE))
                if mouse.modifiers() & Qt.KeyboardModifier.ControlModifier:
                    self.save_preset(slot)
                elif slot in self._presets:
                    self.link.recall(slot)
                return True
        return super().eventFilter(watched, event)

    def save_preset(self, slot: int, name: str | None = None, sku: str | None = None) -> None:
        thumbnail = self.preview.grab().scaled(
            192, 108, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )  # fmt: skip
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        thumbnail.save(buffer, "JPG", 85)
        self.link.save_preset(slot, name, sku, bytes(data.data()))

    def _preset_menu(self, point: Any) -> None:
        item = self.preset_grid.itemAt(point)
        if item is None:
            return
        slot = int(item.data(SLOT_ROLE))
        preset = self._presets.get(slot)
        menu = QMenu(self)
        menu.addAction("Save the current framing here", lambda: self.save_preset(slot))
        if preset is not None:
            menu.addAction("Recall", lambda: self.link.recall(slot))
            menu.addAction("Rename…", lambda: self._rename(preset))
            menu.addAction("Link a product…", lambda: self._link_product(preset))
        menu.exec(self.preset_grid.viewport().mapToGlobal(point))

    def _rename(self, preset: Preset) -> None:
        text, ok = QInputDialog.getText(self, "Rename preset", "Name", text=preset.name)
        if ok and text.strip():
            self.link.edit_preset(preset.number, name=text.strip())

    def _link_product(self, preset: Preset) -> None:
        """Pick the product this preset frames from the catalog's products on the set (or
        type a SKU when there are none to pick from)."""
        if not self.products:
            text, ok = QInputDialog.getText(
                self, "Link a product", "SKU of the product this preset frames",
                text=preset.sku or "",
            )  # fmt: skip
            if ok:
                self.link.edit_preset(preset.number, sku=text.strip() or None)
            return
        choices = ["No product", *(f"{name} · {sku}" for sku, name in self.products)]
        skus = [None, *(sku for sku, _name in self.products)]
        current = skus.index(preset.sku) if preset.sku in skus else 0
        picked, ok = QInputDialog.getItem(
            self, "Link a product", "The product this preset frames", choices, current, False
        )
        if ok and picked in choices:
            self.link.edit_preset(preset.number, sku=skus[choices.index(picked)])

    # --- the session ----------------------------------------------------------------------

    def set_client(self, profile: ClientProfile) -> None:
        """The client whose profile is open: the one a session is recorded for."""
        if self.recorder is not None and self.recorder.recording:
            return  # the session in progress keeps its client
        self.client = profile
        self.appointment.clear()
        self.appointment.addItem("No appointment", None)
        for a in sorted(profile.appointments, key=lambda a: a.starts_at, reverse=True)[:10]:
            self.appointment.addItem(
                f"{day_text(a.starts_at)} {time_text(a.starts_at)} · {words(a.kind)}", a.id
            )
        self._show_session()

    def set_products(self, products: list[tuple[str, str]]) -> None:
        self.products = products

    def _consent_given(self) -> bool | None:
        if self.client is None:
            return None
        states = [c for c in self.client.consent if str(c.purpose) == "session_recording"]
        if not states:
            return False
        return max(states, key=lambda c: c.since).granted

    def _show_consent(self, given: bool | None) -> None:
        if given is None:
            self.consent_label.setText("")
            self.consent_button.setVisible(False)
            return
        self.consent_label.setText(
            "Recording consent ✓" if given else "No consent to recording yet"
        )
        self.consent_label.setProperty("tone", "ok" if given else "alert")
        self.consent_label.style().unpolish(self.consent_label)
        self.consent_label.style().polish(self.consent_label)
        self.consent_button.setVisible(not given)

    def _show_session(self) -> None:
        recording = self.recorder is not None and self.recorder.recording
        if self.client is not None:
            self.client_label.setText(self.client.display_name)
        given = self._consent_given()
        self._show_consent(given)
        self.appointment.setVisible(self.client is not None)
        self.appointment.setEnabled(not recording)
        self.record_button.setEnabled(
            self.recorder is not None and (recording or (self.client is not None and bool(given)))
        )
        self.record_button.setText("■ Stop" if recording else "● Record")
        for widget in (self.product_button, self.note_field):
            widget.setEnabled(recording)
        if not recording:
            self.timer_label.setText("")
            self.dropped_label.setText("")

    def _ask_consent(self) -> None:
        if self.client is not None:
            self.action_requested.emit("recording_consent", self.client.id)

    def _toggle_recording(self) -> None:
        if self.recorder is None:
            return
        if self.recorder.recording:
            self.recorder.stop()
            self._show_session()
            return
        if self.client is None:
            return
        self.record_button.setEnabled(False)
        self.recorder.start(
            self.client.id,
            self.client.display_name,
            self.appointment.currentData(),
            self.link.url,
        )

    def _recording_started(self, status: RecordingStatus) -> None:
        self._show_session()
        self._recording_progress(status)
        self.note_field.setFocus()

    def _recording_progress(self, status: RecordingStatus) -> None:
        minutes, seconds = divmod(int(status.elapsed), 60)
        hours, minutes = divmod(minutes, 60)
        self.timer_label.setText(f"● {hours:d}:{minutes:02d}:{seconds:02d}")
        self.dropped_label.setText(f"{status.dropped} dropped")
        self.dropped_label.setProperty("tone", "alert" if status.dropped else "")
        self.dropped_label.style().unpolish(self.dropped_label)
        self.dropped_label.style().polish(self.dropped_label)

    def _recording_finished(self, result: Any) -> None:
        self._show_session()
        state = "interrupted" if result.interrupted else "saved"
        self._show_message(
            "notice",
            f"Session {state}: {result.duration:.0f} s, {len(result.markers)} markers, "
            f"{result.dropped} frames dropped",
        )

    def _preset_arrived(self, number: int, preset: Preset | None) -> None:
        if self.recorder is None or not self.recorder.recording:
            return
        label = preset.name if preset is not None else f"Preset {number + 1}"
        self.recorder.mark("preset", label, sku=preset.sku if preset else None, preset=number)

    def _mark_product(self) -> None:
        if self.recorder is None or not self.recorder.recording:
            return
        choices = [f"{name} · {sku}" for sku, name in self.products]
        if not choices:
            text, ok = QInputDialog.getText(self, "Product shown", "SKU of the product shown")
            if ok and text.strip():
                self.recorder.mark("product", text.strip(), sku=text.strip())
            return
        picked, ok = QInputDialog.getItem(self, "Product shown", "Product", choices, 0, False)
        if ok and picked:
            sku, name = self.products[choices.index(picked)]
            self.recorder.mark("product", name, sku=sku)

    def _mark_note(self) -> None:
        text = self.note_field.text().strip()
        if self.recorder is not None and self.recorder.recording and text:
            self.recorder.mark("note", text)
            self.note_field.clear()

    def _marker_saved(self, kind: str, label: str) -> None:
        self.last_marker.setText(f"Marked: {label}")

    # --- keyboard -------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if event.isAutoRepeat():
            return
        if key in KEYS:
            self._held.add(key)
            self._drive_held()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.link.zoom(1)
        elif key == Qt.Key.Key_Minus:
            self.link.zoom(-1)
        elif key == Qt.Key.Key_Home:
            self.link.home()
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if event.isAutoRepeat():
            return
        if key in KEYS:
            self._held.discard(key)
            self._drive_held()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus):
            self.link.zoom_stop()
        else:
            super().keyReleaseEvent(event)

    def _drive_held(self) -> None:
        dx = sum(KEYS[k][0] for k in self._held)
        dy = sum(KEYS[k][1] for k in self._held)
        if dx == 0 and dy == 0:
            self.link.stop()
        else:
            self.link.drive(max(-1, min(1, dx)), max(-1, min(1, dy)))

    def hideEvent(self, event: Any) -> None:
        # Leaving the page while a key or button is held must not leave the camera moving.
        if self._held:
            self._held.clear()
            self.link.stop()
        super().hideEvent(event)

    def focusOutEvent(self, event: Any) -> None:
        if self._held:
            self._held.clear()
            self.link.stop()
        super().focusOutEvent(event)
