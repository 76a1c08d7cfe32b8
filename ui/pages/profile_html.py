"""A client's profile as the HTML a QTextBrowser shows: plain functions of a ClientProfile."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape

from models.dto import ClientProfile, ConsentState
from ui.format import channel_label, day_text, tier_label, time_text, words

# QTextDocument understands a small CSS subset: colours, fonts, margins, table cell padding.
PROFILE_CSS = """
body { color: #2b2926; }
.name { font-size: 19pt; font-weight: 600; margin: 2px 0 2px 0; }
.section { font-size: 8.5pt; font-weight: 600; color: #9c7a45; margin: 24px 0 6px 0;
     text-transform: uppercase; }
p { margin: 0 0 4px 0; }
.eyebrow { color: #9c7a45; font-size: 9pt; font-weight: 600; text-transform: uppercase; }
.muted { color: #857d72; }
.fig { font-size: 12pt; font-weight: 600; }
.label { color: #857d72; font-size: 7.5pt; text-transform: uppercase; }
.granted { background-color: #e8efe3; color: #3f6133; }
.withdrawn { background-color: #f4e8e4; color: #8a4b3c; }
.tag { background-color: #f4eee3; color: #6b5a3e; }
td { padding: 3px 14px 3px 0; vertical-align: top; }
td.when { color: #857d72; white-space: nowrap; }
td.amount { text-align: right; white-space: nowrap; }
"""

SHOWN = 8  # per section; the full timeline pages elsewhere


def _e(value: object) -> str:
    return escape(str(value), quote=False)


def _badge(text: str, css_class: str) -> str:
    # Non-breaking spaces pad the badge: QTextDocument ignores padding on inline spans.
    return f'<span class="{css_class}">&nbsp;{_e(text)}&nbsp;</span>'


def _consent_badge(state: ConsentState) -> str:
    mark = "✓" if state.granted else "✕"
    text = f"{mark} {channel_label(state.channel)} · {words(state.purpose).lower()}"
    return _badge(text, "granted" if state.granted else "withdrawn")


def _section(title: str, body: str) -> str:
    # Headings as styled paragraphs: QTextDocument sizes <h2> itself, ignoring the CSS.
    return f'<p class="section">{_e(title)}</p>{body}' if body else ""


def _table(rows: Iterable[tuple[str, ...]], classes: tuple[str, ...]) -> str:
    cells = "".join(
        "<tr>"
        + "".join(f'<td class="{c}">{v}</td>' for c, v in zip(classes, row, strict=True))
        + "</tr>"
        for row in rows
    )
    return f'<table cellspacing="0">{cells}</table>' if cells else ""


def _more(total: int) -> str:
    return f'<p class="muted">and {total - SHOWN} more</p>' if total > SHOWN else ""


def _header(p: ClientProfile) -> str:
    owners = " & ".join(_e(o) for o in (p.primary_owner, p.secondary_owner) if o)
    figures = [
        ("Lifetime spend", p.lifetime_spend.format()),
        ("Purchases", str(p.purchase_count)),
        ("Last purchase", day_text(p.last_purchase_at)),
        ("Last contact", day_text(p.last_contact_at)),
    ]
    # Two by two: four figures side by side do not fit a profile pane without breaking.
    figure_rows = "".join(
        "<tr>"
        + "".join(
            f'<td width="50%"><span class="label">{_e(k)}</span><br>'
            f'<span class="fig">{_e(v)}</span></td>'
            for k, v in pair
        )
        + "</tr>"
        for pair in (figures[:2], figures[2:])
    )
    contact = [_e(x) for x in (*p.emails, *p.phones)]
    consent = " ".join(_consent_badge(c) for c in p.consent)
    parts = [
        f'<p class="eyebrow">{_e(tier_label(p.tier))} · {_e(p.home_store)}</p>',
        f'<p class="name">{_e(p.display_name)}</p>',
        f'<p class="muted">Looked after by {owners}</p>' if owners else "",
        f'<table width="100%" cellspacing="0" style="margin-top: 10px">{figure_rows}</table>',
        f'<p style="margin-top: 12px">{"<br>".join(contact)}</p>' if contact else "",
        f'<p class="muted">{_e(", ".join(p.address))}</p>' if p.address else "",
        f'<p style="margin-top: 8px">{consent}</p>'
        if consent
        else '<p class="muted" style="margin-top: 8px">No consent recorded</p>',
        f'<p style="margin-top: 6px">{" ".join(_badge(t, "tag") for t in p.tags)}</p>'
        if p.tags
        else "",
    ]
    return "".join(parts)


def _sizes_and_preferences(p: ClientProfile) -> str:
    rows = [(_e(words(k)), _e(v)) for k, v in p.sizes.items()]
    sizes = _section("Sizes", _table(rows, ("when", "")))
    prefs = [(_e(words(k)), _e(", ".join(v))) for k, v in p.preferences.items()]
    return sizes + _section("Preferences", _table(prefs, ("when", "")))


def _dates(p: ClientProfile) -> str:
    rows = []
    for d in p.important_dates:
        what = d.label or words(d.kind)
        since = f" ({d.year})" if d.year else ""
        upcoming = f"next {day_text(d.next_on)}" if d.next_on else ""
        rows.append(
            (f"{day_text(date(2000, d.month, d.day), year=False)}{since}", _e(what), upcoming)
        )
    return _section("Important dates", _table(rows, ("when", "", "when")))


def _notes(p: ClientProfile) -> str:
    rows = [
        (
            day_text(n.created_at),
            _e(n.body) + (f' <span class="muted">— {_e(n.author)}</span>' if n.author else ""),
        )
        for n in p.notes[:SHOWN]
    ]
    return _section("Notes", _table(rows, ("when", "")) + _more(len(p.notes)))


def _interactions(p: ClientProfile) -> str:
    rows = [
        (
            f"{day_text(i.occurred_at)}<br>{_e(channel_label(i.channel))} · {_e(i.direction)}",
            _e(i.summary)
            + (f' <span class="muted">— {_e(i.associate)}</span>' if i.associate else ""),
        )
        for i in p.interactions[:SHOWN]
    ]
    body = _table(rows, ("when", "")) + _more(len(p.interactions))
    return _section("Interactions", body)


def _purchases(p: ClientProfile) -> str:
    rows = [
        (
            day_text(x.purchased_at),
            "<br>".join(
                _e(ln.description)
                + (f' <span class="muted">size {_e(ln.size)}</span>' if ln.size else "")
                for ln in x.lines
            ),
            _e(x.total.format()),
        )
        for x in p.purchases[:SHOWN]
    ]
    return _section("Purchases", _table(rows, ("when", "", "amount")) + _more(len(p.purchases)))


def _wish_list(p: ClientProfile) -> str:
    rows = []
    for w in p.wish_list:
        piece = f"{_e(w.product.brand)} {_e(w.product.name)}"
        if w.size:
            piece += f' <span class="muted">size {_e(w.size)}</span>'
        stock = f"{w.in_stock_home} in store" if w.in_stock_home else "not in store"
        rows.append((piece, _e(stock), _e(w.product.price.format())))
    return _section("Wish list", _table(rows, ("", "when", "amount")))


def _tasks(p: ClientProfile) -> str:
    rows = [(day_text(t.due_on), _e(t.reason), _e(words(t.status))) for t in p.tasks[:SHOWN]]
    return _section("Tasks", _table(rows, ("when", "", "when")) + _more(len(p.tasks)))


def _appointments(p: ClientProfile) -> str:
    rows = [
        (
            f"{day_text(a.starts_at)} {time_text(a.starts_at)}",
            _e(a.purpose or words(a.kind)),
            f"{_e(words(a.kind))} · {_e(words(a.status))}",
        )
        for a in p.appointments[:SHOWN]
    ]
    body = _table(rows, ("when", "", "when")) + _more(len(p.appointments))
    return _section("Appointments", body)


def profile_html(p: ClientProfile) -> str:
    sections = (
        _header(p),
        _sizes_and_preferences(p),
        _dates(p),
        _notes(p),
        _interactions(p),
        _purchases(p),
        _wish_list(p),
        _tasks(p),
        _appointments(p),
    )
    return f"<html><body>{''.join(sections)}</body></html>"
