"""New client / Edit client: the whole profile form, with a duplicate check before creating."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.context import Services
from app.duplicates import Duplicate
from app.reference import AssociateView, StoreView
from app.tasks import DbRunner
from models.dto import ClientInput
from models.enums import PreferenceKind, SizeCategory, Tier
from ui.dialogs.base import Operation, OperationDialog
from ui.dialogs.duplicates import DuplicatePanel
from ui.dialogs.fields import (
    DateRows,
    LineRows,
    RowList,
    choice_combo,
    comma_values,
    current_data,
    grid,
    language_combo,
    language_for,
    language_name,
    section_title,
)
from ui.dialogs.fields import select_data as select
from ui.format import phone_text, tier_label, words
from ui.widgets import named

SIZE_EXAMPLES = {"clothing": "M or 38", "shoes": "39.5", "ring": "52 or N", "wrist": "17 cm"}
PREFERENCE_LABELS = {
    "brand": "Brands",
    "colour": "Colours",
    "style": "Styles",
    "like": "Likes",
    "dislike": "Dislikes",
}
NO_ONE = ""  # combo data for "no associate": never None (see fields.current_data)
# Each section: a title, then lines of (field, label, stretch). The input is the attribute
# named like the field, without "_id"; Tab follows this order.
Lines = list[list[tuple[str, str, int]]]
LEFT: list[tuple[str, Lines]] = [
    (
        "Name",
        [
            [
                ("title", "Title", 1),
                ("given_name", "Given name", 2),
                ("family_name", "Family name", 2),
            ],
            [("preferred_name", "Preferred name", 1), ("language", "Language", 1)],
        ],
    ),
    ("Contact", [[("emails", "E-mails", 1)], [("phones", "Phones", 1)]]),
    (
        "Address",
        [
            [("address_line1", "Street", 1)],
            [("address_line2", "Street, line 2", 1)],
            [("postal_code", "Postal code", 1), ("city", "City", 2)],
            [("region", "Region", 2), ("country", "Country", 1)],
        ],
    ),
]
RIGHT: list[tuple[str, Lines]] = [
    (
        "Book",
        [
            [("home_store_id", "Home store", 2), ("tier", "Tier", 1)],
            [
                ("primary_owner_id", "Primary associate", 1),
                ("secondary_owner_id", "Secondary associate", 1),
            ],
            [("tags", "Tags", 1)],
        ],
    ),
]


@dataclass(frozen=True)
class FormStart:
    """Everything the form needs before it can be filled in, read in one unit of work."""

    data: ClientInput | None
    stores: list[StoreView]
    store_id: uuid.UUID
    associates: list[AssociateView]
    me: uuid.UUID | None


@dataclass(frozen=True)
class PossibleDuplicates:
    matches: list[Duplicate]


def load_form_start(client_id: uuid.UUID | None, s: Services) -> FormStart:
    data = s.clients.edit_input(client_id) if client_id else None
    store_id = (data.home_store_id if data else None) or s.clients.actor.store_id
    return FormStart(
        data,
        s.reference.stores(),
        store_id,
        s.reference.associates(store_id),
        s.clients.actor.associate_id,
    )


def create_unless_duplicate(
    data: ClientInput, check: bool, s: Services
) -> uuid.UUID | PossibleDuplicates:
    # Checked and created in one unit of work, so nobody can slip in between the two.
    if check and (matches := s.duplicates.find(data)):
        return PossibleDuplicates(matches)
    return s.clients.create_client(data)


def update_client(client_id: uuid.UUID, data: ClientInput, s: Services) -> uuid.UUID:
    s.clients.update_client(client_id, data)
    return client_id


class ClientFormDialog(OperationDialog):
    """`saved` carries the client's id, new or edited."""

    open_existing = Signal(object)

    def __init__(
        self, runner: DbRunner, client_id: uuid.UUID | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(runner, "Edit client" if client_id else "New client", parent)
        self.client_id = client_id
        self._confirmed: ClientInput | None = None  # the form "Create anyway" was said for
        self._pending: ClientInput | None = None
        self._chain: list[QWidget] = []  # inputs in reading order, for Tab
        self.subtitle = self.heading(
            "Edit client" if client_id else "New client",
            icon_name="edit" if client_id else "new-client",
        )

        self.title = QLineEdit()
        self.title.setPlaceholderText("Ms, Mr…")
        self.given_name, self.family_name = QLineEdit(), QLineEdit()
        self.preferred_name = QLineEdit()
        self.preferred_name.setPlaceholderText("What they like to be called")
        self.language = language_combo()
        self.tier = choice_combo([t.value for t in Tier], tier_label, Tier.CLIENT.value)
        for combo in (self.language, self.tier):
            # Sized by the layout, not by "Arabic (United Arab Emirates)".
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
        self.emails = LineRows("e-mail", "name@example.com", "Add an e-mail")
        self.phones = LineRows("phone", "+33 6 12 34 56 78", "Add a phone")
        self.address_line1, self.address_line2 = QLineEdit(), QLineEdit()
        self.postal_code, self.city, self.region = QLineEdit(), QLineEdit(), QLineEdit()
        self.country = QLineEdit()
        self.country.setMaxLength(2)
        self.country.setPlaceholderText("FR")
        self.home_store, self.primary_owner = QComboBox(), QComboBox()
        self.secondary_owner = QComboBox()
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("Comma separated: collector, bridal")
        self.sizes = {c.value: QLineEdit() for c in SizeCategory}
        self.preferences = {k.value: QLineEdit() for k in PreferenceKind}
        self.dates = DateRows()
        self.duplicates = DuplicatePanel()
        self.duplicates.open_existing.connect(self._open_existing)
        self.duplicates.create_anyway.connect(self._create_anyway)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._form())
        self.body.addWidget(scroll, 1)
        self.body.addWidget(self.duplicates)
        for rows in (self.emails, self.phones, self.dates):
            rows.rows_changed.connect(self._order_tabs)
        self.home_store.currentIndexChanged.connect(self._store_changed)
        self._order_tabs()
        self.resize(1020, 780)

        self.save_button.setEnabled(False)  # until the form holds what is stored
        self.load("start", partial(load_form_start, client_id), self._start)

    # --- layout ---------------------------------------------------------------------------

    def _form(self) -> QWidget:
        left, right = QVBoxLayout(), QVBoxLayout()
        for column in (left, right):
            column.setSpacing(8)  # else both inherit the wide gutter between them
        for column, sections in ((left, LEFT), (right, RIGHT)):
            for title, lines in sections:
                column.addWidget(section_title(title))
                for line in lines:
                    blocks = [self._block(key, label) for key, label, _ in line]
                    column.addLayout(grid(*blocks, stretch=tuple(n for *_, n in line)))
        left.addStretch(1)
        right.addWidget(section_title("Sizes"))
        sizes = []
        for category, edit in self.sizes.items():
            edit.setPlaceholderText(SIZE_EXAMPLES.get(category, ""))
            sizes.append(self.field(f"sizes.{category}", words(category), edit))
        right.addLayout(grid(*sizes, columns=4))
        right.addWidget(section_title("Preferences"))
        prefs = []
        for kind, edit in self.preferences.items():
            edit.setPlaceholderText("Comma separated")
            prefs.append(self.field(f"preferences.{kind}", PREFERENCE_LABELS[kind], edit))
        right.addLayout(grid(*prefs, columns=2))
        right.addStretch(1)
        self._chain += [*self.sizes.values(), *self.preferences.values(), self.dates]

        body = named(QWidget(), "formBody")
        rows = QVBoxLayout(body)
        rows.setContentsMargins(0, 0, 12, 8)
        rows.setSpacing(8)
        columns = QHBoxLayout()
        columns.setSpacing(40)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        rows.addLayout(columns)
        # Full width: a date is five inputs in a row, too many for one column.
        rows.addWidget(section_title("Important dates"))
        rows.addWidget(self.field("important_dates", "Birthdays, anniversaries…", self.dates))
        rows.addStretch(1)
        return body

    def _block(self, key: str, label: str) -> QWidget:
        widget: QWidget = getattr(self, key.removesuffix("_id"))
        self._chain.append(widget)
        return self.field(key, label, widget)

    def _order_tabs(self) -> None:
        order: list[QWidget] = []
        for widget in self._chain:
            order += widget.focus_order() if isinstance(widget, RowList) else [widget]
        self.set_tab_order(*order, *self.duplicates.open_buttons, self.duplicates.create_button)

    # --- filling --------------------------------------------------------------------------

    def _start(self, start: FormStart) -> None:
        self.home_store.blockSignals(True)  # its associates came with the start
        for store in start.stores:
            self.home_store.addItem(f"{store.name} · {store.code}", store.id)
        select(self.home_store, start.store_id)
        self.home_store.blockSignals(False)
        data = start.data
        primary = data.primary_owner_id if data else start.me
        self._fill_owners(primary, data.secondary_owner_id if data else None, start.associates)
        if data is not None:
            self._prefill(data)
        else:
            country = next((x.country for x in start.stores if x.id == start.store_id), "")
            select(self.language, language_for(country))
        self.save_button.setEnabled(True)
        self.given_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def _prefill(self, data: ClientInput) -> None:
        name = f"{data.preferred_name or data.given_name} {data.family_name}".strip()
        self.subtitle.setText(name)
        self.subtitle.show()
        self.setWindowTitle(f"Edit client — {name}")
        for edit, value in (
            (self.title, data.title),
            (self.given_name, data.given_name),
            (self.family_name, data.family_name),
            (self.preferred_name, data.preferred_name),
            (self.address_line1, data.address_line1),
            (self.address_line2, data.address_line2),
            (self.postal_code, data.postal_code),
            (self.city, data.city),
            (self.region, data.region),
            (self.country, data.country),
        ):
            edit.setText(value or "")
        if not select(self.language, data.language):
            self.language.addItem(language_name(data.language), data.language)  # as stored
            select(self.language, data.language)
        select(self.tier, data.tier)
        self.emails.set_values(data.emails)
        self.phones.set_values([phone_text(p) for p in data.phones])
        self.tags.setText(", ".join(data.tags))
        for category, edit in self.sizes.items():
            edit.setText(data.sizes.get(category, ""))
        for kind, edit in self.preferences.items():
            edit.setText(", ".join(data.preferences.get(kind, [])))
        self.dates.set_values(data.important_dates)

    def _store_changed(self) -> None:
        store_id = current_data(self.home_store)
        primary, secondary = current_data(self.primary_owner), current_data(self.secondary_owner)
        self.load(
            "associates",
            lambda s: s.reference.associates(store_id),
            self._fill_owners,
            primary,
            secondary,
        )

    def _fill_owners(
        self,
        primary: uuid.UUID | None,
        secondary: uuid.UUID | None,
        people: list[AssociateView],
    ) -> None:
        for combo, wanted in ((self.primary_owner, primary), (self.secondary_owner, secondary)):
            combo.clear()
            combo.addItem("No one", NO_ONE)
            for person in people:
                combo.addItem(person.display_name, person.id)
            if not select(combo, wanted or NO_ONE) and wanted is not None:
                # Owned by someone from another store: keep them rather than drop them silently.
                combo.addItem("An associate of another store", wanted)
                select(combo, wanted)

    # --- saving ---------------------------------------------------------------------------

    def collect(self) -> ClientInput:
        def text(edit: QLineEdit) -> str | None:
            return edit.text().strip() or None

        return ClientInput(
            given_name=self.given_name.text(),
            family_name=self.family_name.text(),
            home_store_id=current_data(self.home_store),
            preferred_name=text(self.preferred_name),
            title=text(self.title),
            language=str(self.language.currentData()),
            tier=str(self.tier.currentData()),
            primary_owner_id=current_data(self.primary_owner),
            secondary_owner_id=current_data(self.secondary_owner),
            emails=[row.edit.text() for row in self.emails.filled()],
            phones=[row.edit.text() for row in self.phones.filled()],
            address_line1=text(self.address_line1),
            address_line2=text(self.address_line2),
            city=text(self.city),
            postal_code=text(self.postal_code),
            region=text(self.region),
            country=(text(self.country) or "").upper() or None,
            tags=comma_values(self.tags.text()),
            sizes={c: e.text() for c, e in self.sizes.items() if e.text().strip()},
            preferences={k: comma_values(e.text()) for k, e in self.preferences.items()},
            important_dates=[row.value() for row in self.dates.rows],
        )

    def _bind_rows(self) -> None:
        """Number the rows as the service will: only filled e-mails and phones count."""
        for prefix, label, rows in (
            ("emails", "E-mail", self.emails.filled()),
            ("phones", "Phone", self.phones.filled()),
            ("important_dates", "Date", self.dates.rows),
        ):
            self.unbind_fields(f"{prefix}[")
            for n, row in enumerate(rows):
                self.bind_field(f"{prefix}[{n}]", label, row.inputs(), row.error)

    def operation(self) -> Operation:
        data = self.collect()
        self._bind_rows()
        self.duplicates.hide()
        if self.client_id is not None:
            return partial(update_client, self.client_id, data)
        self._pending = data
        return partial(create_unless_duplicate, data, data != self._confirmed)

    def succeeded(self, result: object) -> None:
        if isinstance(result, PossibleDuplicates):
            self.duplicates.show_matches(result.matches)
            self._order_tabs()
            self.duplicates.open_buttons[0].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().succeeded(result)

    def _create_anyway(self) -> None:
        self._confirmed = self._pending
        self.submit()

    def _open_existing(self, client_id: uuid.UUID) -> None:
        self.open_existing.emit(client_id)
        self.reject()
