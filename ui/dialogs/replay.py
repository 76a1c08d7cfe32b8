"""Replay of a recorded studio session: play and pause, seek, speed, a timeline with a tick
for every marker, the chapters with their pictures (a click jumps there), and a chapter
exported as a clip.

Decoding runs on the player's own thread and chapter pictures and clips on a small worker;
their results reach the widgets through queued signals. The GUI thread only paints.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QVBoxLayout,
    QWidget,
)

from camera import replay
from camera.recording import Chapter
from ui import theme
from ui.pages.studio import PreviewView
from ui.widgets import named

SPEEDS = (0.5, 1.0, 2.0)
TIME_ROLE = Qt.ItemDataRole.UserRole


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:d}:{secs:02d}"


class MarkedSlider(QSlider):
    """A position slider (milliseconds) with a tick for each marker."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.marks: list[float] = []  # seconds

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.marks or self.maximum() <= 0:
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        groove = self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        painter = QPainter(self)
        painter.setPen(QColor(theme.current().gold))
        for t in self.marks:
            x = groove.left() + round(groove.width() * min(1.0, 1000 * t / self.maximum()))
            painter.drawLine(x, groove.top() - 5, x, groove.bottom() + 5)


class ReplayDialog(QDialog):
    _frame = Signal(object)  # replay.PlayerFrame, from the decoding thread
    _event = Signal(str)
    _thumbs = Signal(object)  # [(Chapter, image)], from the worker
    _exported = Signal(str)

    def __init__(
        self,
        path: Path,
        title: str,
        facts: replay.RecordingInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("replayDialog")
        self.setWindowTitle(f"Replay — {title}")
        self.resize(1180, 720)
        self.path = path
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay-work")
        # `facts` read off the GUI thread by the caller; reading them here is for tools.
        self.info = facts if facts is not None else replay.info(path)
        self.video = PreviewView()
        self.video.placeholder = "Loading…"
        self.heading = named(QLabel(title), "studioClient")
        facts = [clock(self.info.duration), f"{self.info.width}×{self.info.height}"]
        if self.info.dropped:
            facts.append(f"{self.info.dropped} frames dropped")
        if self.info.interrupted:
            facts.append("interrupted: kept up to the last second saved")
        self.facts = named(QLabel(" · ".join(facts)), "hint")

        self.play_button = QPushButton("Play")
        self.play_button.setShortcut("Space")
        self.play_button.setToolTip("Play or pause (Space)")
        self.play_button.clicked.connect(self.toggle)
        self.position = MarkedSlider()
        self.position.setRange(0, max(1, round(self.info.duration * 1000)))
        self.position.setAccessibleName("Position")
        self.position.marks = [m.t for m in self.info.markers]
        self.position.sliderReleased.connect(lambda: self.seek(self.position.value() / 1000))
        self.time_label = named(QLabel(f"0:00 / {clock(self.info.duration)}"), "hint")
        self.speed = QComboBox()
        self.speed.setAccessibleName("Speed")
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(
            lambda i: self.player.set_speed(float(self.speed.itemData(i)))
        )

        self.chapters = QListWidget()
        self.chapters.setObjectName("chapterList")
        self.chapters.setAccessibleName("Chapters")
        self.chapters.setIconSize(QSize(128, 72))
        self.chapters.setWordWrap(True)
        self.chapters.itemClicked.connect(
            lambda item: self.seek(float(item.data(TIME_ROLE)), play=True)
        )
        for chapter in self.info.chapters:
            self.chapters.addItem(self._chapter_item(chapter, None))
        self.export_button = QPushButton("Export chapter as a clip…")
        self.export_button.clicked.connect(self.export_selected)
        self.status = named(QLabel(""), "hint")

        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.position, 1)
        transport.addWidget(self.time_label)
        transport.addWidget(self.speed)
        left = QVBoxLayout()
        left.addWidget(self.heading)
        left.addWidget(self.facts)
        left.addWidget(self.video, 1)
        left.addLayout(transport)
        right = QVBoxLayout()
        right.addWidget(named(QLabel("Chapters"), "sectionTitle"))
        right.addWidget(self.chapters, 1)
        right.addWidget(self.export_button)
        right.addWidget(self.status)
        side = QWidget()
        side.setLayout(right)
        side.setFixedWidth(320)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 16, 16, 16)
        row.setSpacing(16)
        row.addLayout(left, 1)
        row.addWidget(side)

        self._frame.connect(self._show_frame)
        self._event.connect(self._player_event)
        self._thumbs.connect(self._show_thumbs)
        self._exported.connect(self.status.setText)
        self._last: Any = None
        self.player = replay.Player(
            path, self._frame.emit, size=(1280, 720), on_event=self._event.emit
        )
        self._worker.submit(self._open_player)
        self._worker.submit(self._load_thumbs)

    def _open_player(self) -> None:  # the worker: opening the file reads and probes it
        try:
            self.player.open()
        except (replay.ReplayError, OSError) as exc:
            self._exported.emit(f"This recording cannot be played: {exc}")

    # --- the picture ----------------------------------------------------------------------

    def _show_frame(self, frame: replay.PlayerFrame) -> None:
        self._last = frame
        self.video.set_still(frame.image)
        if not self.position.isSliderDown():
            self.position.setValue(round(frame.t * 1000))
        self.time_label.setText(f"{clock(frame.t)} / {clock(self.info.duration)}")

    def _player_event(self, kind: str) -> None:
        if kind in ("ended", "paused", "error"):
            self.play_button.setText("Play")
        if kind == "error" and self.player.error:
            self.status.setText(self.player.error)

    def toggle(self) -> None:
        if self.player.playing:
            self.player.pause()
            self.play_button.setText("Play")
        else:
            self.player.play()
            self.play_button.setText("Pause")

    def seek(self, t: float, play: bool = False) -> None:
        self.player.seek(t)
        if play and not self.player.playing:
            self.toggle()

    # --- chapters -------------------------------------------------------------------------

    def _chapter_item(self, chapter: Chapter, image: Any) -> QListWidgetItem:
        item = QListWidgetItem(f"{clock(chapter.start)}  {chapter.title}")
        item.setData(TIME_ROLE, chapter.start)
        item.setToolTip(f"{chapter.title}: {clock(chapter.start)} – {clock(chapter.end)}")
        if image is not None:
            h, w = image.shape[:2]
            picture = QImage(image.data, w, h, image.strides[0], QImage.Format.Format_BGR888)
            item.setIcon(QIcon(QPixmap.fromImage(picture.copy())))
        return item

    def _load_thumbs(self) -> None:  # the worker
        try:
            self._thumbs.emit(replay.chapter_thumbnails(self.path, size=(256, 144)))
        except replay.ReplayError as exc:
            self._exported.emit(str(exc))

    def _show_thumbs(self, pairs: list[tuple[Chapter, Any]]) -> None:
        pictures = {c.index: image for c, image in pairs}
        selected = self.chapters.currentRow()
        self.chapters.clear()
        for chapter in self.info.chapters:
            self.chapters.addItem(self._chapter_item(chapter, pictures.get(chapter.index)))
        self.chapters.setCurrentRow(selected)

    def export_selected(self) -> None:
        row = self.chapters.currentRow()
        if row < 0:
            self.status.setText("Pick a chapter first")
            return
        chapter = self.info.chapters[row]
        suggested = self.path.with_name(f"{self.path.stem}-chapter-{row + 1}.mp4")
        target, _ = QFileDialog.getSaveFileName(self, "Export chapter", str(suggested), "*.mp4")
        if target:
            self.export_to(chapter, Path(target))

    def export_to(self, chapter: Chapter, target: Path) -> None:
        self.status.setText("Exporting…")

        def work() -> None:
            try:
                clip = replay.export_clip(self.path, chapter.start, chapter.end, target)
                self._exported.emit(f"Saved {target.name} ({clip.duration:.1f} s)")
            except (replay.ReplayError, OSError) as exc:
                self._exported.emit(f"Export failed: {exc}")

        self._worker.submit(work)

    def done(self, result: int) -> None:
        self.player.close()
        self._worker.shutdown(wait=False, cancel_futures=True)
        super().done(result)
