"""Recording a session through the real window: the showroom picture from the simulated
camera, consent, record and stop, a preset recall that adds a marker, and the session in the
client's timeline with a file ffprobe reads."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.timeline import timeline
from models import Client
from ui.dialogs import RecordConsentDialog
from ui.dialogs.fields import select_data
from ui.main_window import MainWindow

TIMEOUT_MS = 20_000


def first_client(ctx: AppContext) -> uuid.UUID:
    with ctx.unit_of_work() as s:
        return s.session.scalars(select(Client.id).order_by(Client.id).limit(1)).one()


def test_record_a_session_with_a_preset_marker_and_find_it_in_the_timeline(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    page = window.studio_page
    cid = first_client(ctx)
    window.open_client(cid)
    qtbot.waitUntil(lambda: page.client is not None and page.client.id == cid, timeout=TIMEOUT_MS)
    window.show_page(2)
    # No consent yet: recording is refused before anything starts.
    qtbot.waitUntil(lambda: page.consent_button.isVisible(), timeout=TIMEOUT_MS)
    assert not page.record_button.isEnabled()
    # Captured there and then: the consent form opens on video and session recording.
    page.consent_button.click()
    dialog = window.actions_router.current
    assert isinstance(dialog, RecordConsentDialog)
    assert (dialog.channel.currentData(), dialog.purpose.currentData()) == (
        "video",
        "session_recording",
    )
    select_data(dialog.proof_kind, "verbal")
    dialog.proof_text.setPlainText("Yes, you may record this call")
    dialog.submit()
    qtbot.waitUntil(lambda: page.record_button.isEnabled(), timeout=TIMEOUT_MS)
    assert not page.consent_button.isVisible()

    link, recorder = window.camera, window.recorder
    qtbot.waitUntil(
        lambda: window.video is not None and window.video.latest() is not None, timeout=TIMEOUT_MS
    )
    link.save_preset(4, "Watch wall", "VC-WAT-0001")
    qtbot.waitUntil(lambda: 4 in page._presets, timeout=TIMEOUT_MS)
    link.drive(1, 0)
    qtbot.wait(300)
    link.stop()

    page.record_button.click()
    qtbot.waitUntil(lambda: recorder.recording, timeout=TIMEOUT_MS)
    qtbot.wait(800)
    link.recall(4)
    qtbot.waitUntil(lambda: page.last_marker.text() == "Marked: Watch wall", timeout=TIMEOUT_MS)
    page.note_field.setText("Prefers the steel bracelet")
    page.note_field.returnPressed.emit()
    qtbot.waitUntil(lambda: "steel" in page.last_marker.text(), timeout=TIMEOUT_MS)
    qtbot.wait(600)
    with qtbot.waitSignal(recorder.finished, timeout=TIMEOUT_MS) as finished:
        page.record_button.click()
    result = finished.args[0]
    assert result.finished and not result.interrupted and result.error is None
    assert result.duration > 1.0
    assert [m.kind for m in result.markers] == ["start", "preset", "note"]

    def stored() -> bool:
        with ctx.unit_of_work() as s:
            profile = s.clients.profile(cid)
        return bool(profile.studio_sessions) and profile.studio_sessions[0].status == "finished"

    qtbot.waitUntil(stored, timeout=TIMEOUT_MS)
    with ctx.unit_of_work() as s:
        profile = s.clients.profile(cid)
    [session] = profile.studio_sessions
    assert session.markers == 2
    [entry] = timeline(profile, frozenset({"session"}))
    assert entry.title.startswith("Studio session")
    from ui.pages.profile_html import overview_html

    assert "Shown in the studio" in overview_html(profile, profile.created_at.date())

    # Replay: the timeline's link opens it; a chapter click seeks there and plays.
    window.open_replay(session.id)
    qtbot.waitUntil(
        lambda: window.replay is not None and window.replay.isVisible(), timeout=TIMEOUT_MS
    )
    replay = window.replay
    assert replay is not None
    titles = [replay.chapters.item(i).text() for i in range(replay.chapters.count())]
    row = next(i for i, text in enumerate(titles) if "Watch wall" in text)
    chapter = replay.info.chapters[row]
    replay.chapters.setCurrentRow(row)
    replay.chapters.itemClicked.emit(replay.chapters.item(row))
    qtbot.waitUntil(lambda: replay.player.playing, timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: replay._last is not None and replay._last.t >= chapter.start - 0.05,
        timeout=TIMEOUT_MS,
    )
    assert replay._last.t < chapter.start + 1.0  # landed at the chapter, not at the end
    clip = ctx.db.media_dir / "clip.mp4"
    replay.export_to(chapter, clip)
    qtbot.waitUntil(lambda: replay.status.text().startswith("Saved"), timeout=TIMEOUT_MS)
    assert clip.stat().st_size > 0
    replay.done(0)

    if shutil.which("ffprobe") is None:
        if os.environ.get("VITRINE_REQUIRE_FFPROBE") == "1":
            pytest.fail("ffprobe is required here (VITRINE_REQUIRE_FFPROBE=1)")
        pytest.skip("ffprobe is not installed: the file's container is not checked")
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_chapters", "-of", "json",
         str(result.path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    info = json.loads(probe.stdout)
    assert info["streams"][0]["codec_name"] == "h264"
    titles = [c["tags"]["title"] for c in info["chapters"]]
    assert titles == [m.label for m in result.markers]  # one chapter a marker
    assert titles[1:] == ["Watch wall", "Prefers the steel bracelet"]


CRASHING_RECORDER = """
import os, sys, time
import numpy as np
from camera.recording import Recorder, settings_for
rec = Recorder(sys.argv[1], settings_for(320, 240))
rec.start()
t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < 2.5:
    frame = np.full((240, 320, 3), n % 255, np.uint8)
    rec.submit(frame, time.monotonic())
    if n == 30:
        rec.mark("note", "before the crash")
    n += 1
    time.sleep(1 / 30)
os._exit(9)  # no stop(): the power went
"""


def test_a_session_cut_by_a_crash_is_recovered_as_interrupted(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    import sys

    from app.studio import StudioService

    cid = first_client(ctx)
    with ctx.unit_of_work() as s:
        s.activity.record_consent(cid, "video", "session_recording", "granted", "verbal", "Yes")
        sid = StudioService(s.session, ctx.actor).start(cid, "studio/crashed.mp4")
        StudioService(s.session, ctx.actor).add_marker(sid, 1_000, "note", "before the crash")
    target = ctx.db.media_dir / "studio" / "crashed.mp4"
    target.parent.mkdir(parents=True, exist_ok=True)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_RECORDER, str(target)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert crashed.returncode == 9, crashed.stderr
    assert not target.exists()  # only the fragmented file and the journal were written
    with qtbot.waitSignal(window.recorder.recovered, timeout=TIMEOUT_MS) as recovered:
        window.recorder.recover_unfinished()
    assert recovered.args == [1]

    def interrupted() -> bool:
        with ctx.unit_of_work() as s:
            return StudioService(s.session, ctx.actor).get(sid).status == "interrupted"

    qtbot.waitUntil(interrupted, timeout=TIMEOUT_MS)
    with ctx.unit_of_work() as s:
        view = StudioService(s.session, ctx.actor).get(sid)
    assert view.duration_ms is not None and 1_400 <= view.duration_ms <= 2_600
    assert [m.label for m in view.markers] == ["before the crash"]
    assert target.exists()


def test_a_recording_finished_as_the_app_closed_is_stored_as_finished(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    """The window closing drops database work not yet started: the session row may still say
    `recording` while its file is whole. The next start stores it as finished."""
    import numpy as np

    from app.studio import StudioService
    from camera.record_cli import record

    cid = first_client(ctx)
    with ctx.unit_of_work() as s:
        s.activity.record_consent(cid, "video", "session_recording", "granted", "verbal", "Yes")
        sid = StudioService(s.session, ctx.actor).start(cid, "studio/whole.mp4")
    frames = iter([np.full((120, 160, 3), n, np.uint8) for n in range(40)])
    record(frames, 1.0, ctx.db.media_dir / "studio" / "whole.mp4")
    with qtbot.waitSignal(window.recorder.recovered, timeout=TIMEOUT_MS):
        window.recorder.recover_unfinished()

    def stored() -> str:
        with ctx.unit_of_work() as s:
            return StudioService(s.session, ctx.actor).get(sid).status

    qtbot.waitUntil(lambda: stored() != "recording", timeout=TIMEOUT_MS)
    assert stored() == "finished"
