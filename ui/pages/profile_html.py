"""The rich-text parts of a client's profile: plain functions of a ClientProfile and a palette.

Each tab of the profile that only reads is one of these, shown in a QTextBrowser; what can
be clicked (actions, filters, completing a task) is a widget in profile_view.py.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from html import escape

from app.timeline import TimelineEntry
from models.dto import AppointmentView, ClientProfile, ConsentState
from ui.format import channel_label, day_text, time_text, words
from ui.theme import Palette, render

KIND_LABELS = {
    "note": "Notes",
    "interaction": "Interactions",
    "purchase": "Purchases",
    "appointment": "Visits",
    "session": "Studio",
}

# QTextDocument understands a small CSS subset: colours, fonts, margins, table cell padding.
PROFILE_CSS = """
body { color: @ink; }
p { margin: 0 0 4px 0; }
.section { font-size: 8.5pt; font-weight: 600; color: @gold_text; margin: 18px 0 6px 0;
     text-transform: uppercase; }
.first { margin-top: 2px; }
.muted { color: @muted; }
.small { font-size: 9pt; }
.strong { font-weight: 600; }
.kind { color: @gold_text; font-size: 8pt; font-weight: 600; text-transform: uppercase; }
.empty { color: @faint; margin-top: 24px; }
.instock { color: @success; }
td { padding: 4px 14px 4px 0; vertical-align: top; }
td.when { color: @muted; white-space: nowrap; }
td.amount { text-align: right; white-space: nowrap; }
td.thumb { padding: 4px 12px 8px 0; }
"""


def profile_css(palette: Palette) -> str:
    """The browsers' default stylesheet in this palette's colours."""
    return render(PROFILE_CSS, palette)  # the stylesheet's own @role tokens


def _e(value: object) -> str:
    return escape(str(value), quote=False)


def badge_style(kind: str, palette: Palette) -> str:
    """Inline, not a class: a QLabel's rich text has no default stylesheet to hold one."""
    background, colour = {
        "granted": (palette.success_badge, palette.success),
        "withdrawn": (palette.danger_badge, palette.danger_text),
        "tag": (palette.accent_soft, palette.tag_text),
    }[kind]
    return f"background-color: {background}; color: {colour}"


def badge(text: str, kind: str, palette: Palette) -> str:
    # Non-breaking spaces pad the badge: rich text ignores padding on inline spans.
    return f'<span style="{badge_style(kind, palette)}">&nbsp;{_e(text)}&nbsp;</span>'


def consent_badge(state: ConsentState, palette: Palette) -> str:
    mark = "✓" if state.granted else "✕"
    text = f"{mark} {channel_label(state.channel)} · {words(state.purpose).lower()}"
    return badge(text, "granted" if state.granted else "withdrawn", palette)


def badges_html(p: ClientProfile, palette: Palette) -> str:
    """Consent per channel and purpose, then tags: the header's one wrapping line."""
    consent = " ".join(consent_badge(c, palette) for c in p.consent)
    if not consent:
        consent = f'<span style="color: {palette.muted}">No consent recorded</span>'
    tags = " ".join(badge(t, "tag", palette) for t in p.tags)
    return f'<p style="line-height: 150%">{consent}' + (f"<br>{tags}" if tags else "") + "</p>"


def _section(title: str, body: str, first: bool = False, empty: str = "") -> str:
    # Headings as styled paragraphs: QTextDocument sizes <h2> itself, ignoring the CSS.
    css = "section first" if first else "section"
    if not body and empty:
        body = f'<p class="muted">{_e(empty)}</p>'
    return f'<p class="{css}">{_e(title)}</p>{body}' if body else ""


def _table(rows: Iterable[tuple[str, ...]], classes: tuple[str, ...], full: bool = True) -> str:
    """`full`: as wide as the pane, for lists with a right-hand figure; else label-value pairs
    sit close together."""
    cells = "".join(
        "<tr>"
        + "".join(f'<td class="{c}">{v}</td>' for c, v in zip(classes, row, strict=True))
        + "</tr>"
        for row in rows
    )
    width = ' width="100%"' if full else ""
    return f'<table cellspacing="0"{width}>{cells}</table>' if cells else ""


def _page(body: str, empty: str) -> str:
    return f"<html><body>{body or f'<p class=empty align=center>{_e(empty)}</p>'}</body></html>"


def _by(who: str | None) -> str:
    return f' <span class="muted">— {_e(who)}</span>' if who else ""


def _days_until(day: date, today: date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    return f"in {delta} days" if delta > 0 else f"{-delta} days ago"


def overview_html(p: ClientProfile, today: date) -> str:
    contact = [_e(x) for x in (*p.emails, *p.phones)]
    if p.address:
        contact.append(f'<span class="muted">{_e(", ".join(p.address))}</span>')
    contact.append(f'<span class="muted">Speaks {_e(p.language)}</span>')
    sizes = _table(((_e(words(k)), _e(v)) for k, v in p.sizes.items()), ("when", ""), False)
    likes = {k: v for k, v in p.preferences.items() if k in ("like", "dislike")}
    prefs = [(_e(words(k)), _e(", ".join(v))) for k, v in p.preferences.items() if k not in likes]
    feelings = [
        ("Likes" if k == "like" else "Dislikes", _e(", ".join(v))) for k, v in likes.items()
    ]
    dates = []
    for d in sorted(p.important_dates, key=lambda d: d.next_on or date.max):
        what = _e(d.label or words(d.kind))
        since = ""
        if d.year:
            word = "born" if d.kind == "birthday" else "since"
            since = f' <span class="muted">{word} {d.year}</span>'
        upcoming = f"{day_text(d.next_on)} · {_days_until(d.next_on, today)}" if d.next_on else ""
        dates.append((day_text(date(2000, d.month, d.day), year=False), what + since, upcoming))
    body = (
        _section("Contact", "<br>".join(contact), first=True)
        + _section("Sizes", sizes)
        + _section("Preferences", _table(prefs, ("when", ""), False))
        + _section("Likes and dislikes", _table(feelings, ("when", ""), False))
        + _section("Important dates", _table(dates, ("when", "", "amount")))
        + _section("Shown in the studio", _shown_in_studio(p))
    )
    return _page(body, "Nothing recorded yet")


def _shown_in_studio(p: ClientProfile) -> str:
    """Each product shown in a recorded session, once, with the last session that showed it."""
    last: dict[str, datetime] = {}
    for session in p.studio_sessions:
        for name in session.products:
            if name not in last or session.started_at > last[name]:
                last[name] = session.started_at
    rows = [
        (day_text(when), _e(name))
        for name, when in sorted(last.items(), key=lambda item: item[1], reverse=True)
    ]
    return _table(rows, ("when", ""), False)


def timeline_html(entries: list[TimelineEntry]) -> str:
    rows = [
        (
            f"{day_text(e.at)}<br>{time_text(e.at)}",
            f'<span class="kind">{_e(e.title)}</span><br>{_e(e.detail)}{_by(e.who)}'
            + (f' · <a href="replay:{e.ref}">Replay</a>' if e.kind == "session" else ""),
        )
        for e in entries
    ]
    return _page(_table(rows, ("when", "")), "Nothing to show for these kinds")


def purchases_html(p: ClientProfile) -> str:
    rows: list[tuple[str, str]] = []
    for x in p.purchases:
        where = " · ".join(
            part for part in (x.store, channel_label(x.channel), x.associate) if part
        )
        if rows:
            rows.append(('<p style="font-size: 5pt">&nbsp;</p>', ""))  # air between purchases
        rows.append(
            (
                f'<span class="strong">{day_text(x.purchased_at)}</span><br>'
                f'<span class="muted small">{_e(where)}</span>',
                f'<span class="strong">{_e(x.total.format())}</span>',
            )
        )
        for ln in x.lines:
            size = f" · size {_e(ln.size)}" if ln.size else ""
            quantity = f" · ×{ln.quantity}" if ln.quantity != 1 else ""
            rows.append(
                (
                    f"&nbsp;&nbsp;&nbsp;{_e(ln.description)}"
                    f'<span class="muted">{size}{quantity}</span>',
                    f'<span class="muted">{_e(ln.line_total.format())}</span>',
                )
            )
    summary = ""
    if p.purchases:
        shown = len(p.purchases)
        latest = f"; the latest {shown} below" if p.purchase_count > shown else ""
        total = _e(p.lifetime_spend.format())
        summary = f'<p class="muted">{p.purchase_count} purchases, {total} in all{latest}</p>'
    return _page(summary + _table(rows, ("", "amount")), "No purchases yet")


def wish_closet_html(p: ClientProfile, thumbs: Collection[str]) -> str:
    """`thumbs`: product ids (as text) whose picture the view registered as thumb://<id>."""
    rows = []
    for w in p.wish_list:
        key = str(w.product.id)
        picture = f'<img src="thumb://{key}" width="56" height="56">' if key in thumbs else ""
        piece = f'<span class="strong">{_e(w.product.brand)}</span> {_e(w.product.name)}'
        detail = [f"size {w.size}"] if w.size else []
        detail.append(f"added {day_text(w.added_at)}")
        if w.status != "active":
            detail.append(words(w.status).lower())
        stock = (
            f'<span class="instock">{w.in_stock_home} in store</span>'
            if w.in_stock_home
            else '<span class="muted">not in store</span>'
        )
        note = f'<br><span class="muted">{_e(w.note)}</span>' if w.note else ""
        rows.append(
            (
                picture,
                f'{piece}<br><span class="muted small">{_e(" · ".join(detail))}</span>{note}',
                f"{_e(w.product.price.format())}<br>{stock}",
            )
        )
    closet = []
    for c in p.closet:
        # Descriptions often start with the brand already ("Vireo Milano Love Knot").
        brand = c.brand if c.brand and not c.description.startswith(c.brand) else None
        piece = f'<span class="strong">{_e(brand)}</span> ' if brand else ""
        size = f' <span class="muted">size {_e(c.size)}</span>' if c.size else ""
        closet.append((day_text(c.acquired_on), piece + _e(c.description) + size))
    body = _section(
        "Wish list", _table(rows, ("thumb", "", "amount")), first=True, empty="Nothing yet"
    ) + _section("Closet", _table(closet, ("when", "")), empty="Nothing recorded")
    return _page(body, "No wish-list items or closet pieces yet")


def appointments_html(p: ClientProfile, now: datetime) -> str:
    def row(a: AppointmentView) -> tuple[str, str, str]:
        return (
            f"{day_text(a.starts_at)}<br>{time_text(a.starts_at)}–{time_text(a.ends_at)}",
            f"{_e(a.purpose or words(a.kind))}{_by(a.associate)}",
            f"{_e(words(a.kind))}<br>{_e(words(a.status))}",
        )

    upcoming = sorted((a for a in p.appointments if a.ends_at >= now), key=lambda a: a.starts_at)
    past = [a for a in p.appointments if a.ends_at < now]
    body = _section(
        "Upcoming", _table(map(row, upcoming), ("when", "", "when")), first=True
    ) + _section("Past", _table(map(row, past), ("when", "", "when")), first=not upcoming)
    return _page(body, "No appointments yet")


def consent_html(p: ClientProfile, palette: Palette) -> str:
    rows = []
    for ev in p.consent_history:
        what = f"{channel_label(ev.channel)} · {words(ev.purpose).lower()}"
        kind = "granted" if ev.action == "granted" else "withdrawn"
        state = badge(words(ev.action), kind, palette)
        proof = [words(ev.proof_kind)]
        if ev.has_proof_image:
            proof.append("signature on file")
        detail = f'<span class="muted small">{_e(" · ".join(proof))}</span>'
        if ev.proof_text:
            detail += f"<br>“{_e(ev.proof_text)}”"
        rows.append(
            (
                f"{day_text(ev.captured_at)}<br>{time_text(ev.captured_at)}",
                f"{state} {_e(what)}{_by(ev.captured_by)}<br>{detail}",
            )
        )
    now = " ".join(consent_badge(c, palette) for c in p.consent)
    body = _section("Now", f'<p style="line-height: 150%">{now}</p>' if now else "", first=True)
    body += _section("Every change, newest first", _table(rows, ("when", "")))
    return _page(body, "No consent recorded yet")
