"""Recording consent: one event in the ledger, per channel and purpose, always with its proof."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from app.tasks import DbRunner
from models.enums import ConsentAction, ConsentChannel, ConsentPurpose, ProofKind
from ui.dialogs.activity import ClientDialog
from ui.dialogs.base import Operation
from ui.dialogs.fields import choice_combo, grid
from ui.format import channel_label
from ui.signature_pad import SignaturePad

PURPOSE_LABELS = {
    "marketing": "Marketing",
    "outreach": "One-to-one outreach",
    "session_recording": "Recording of video sessions",
}
PROOF_LABELS = {
    "signature": "Signature",
    "verbal": "Verbal, in their words",
    "written_form": "Written form",
    "email_confirmation": "E-mail confirmation",
    "web_form": "Web form",
}
# What the proof text should hold for each kind of proof.
PROOF_TEXT_HINTS = {
    "signature": "Optional: anything said while signing",
    "verbal": "What the client agreed to, in their words",
    "written_form": "Form reference or where the paper copy is kept",
    "email_confirmation": "Subject and date of the client's e-mail",
    "web_form": "Form name and submission reference",
}


class RecordConsentDialog(ClientDialog):
    """`imported` is not offered: only a sync or an import writes that kind of proof."""

    ICON = "consent"

    def __init__(
        self,
        runner: DbRunner,
        client_id: uuid.UUID,
        client_name: str,
        parent: QWidget | None = None,
        channel: str | None = None,
        purpose: str | None = None,
    ) -> None:
        super().__init__(runner, client_id, client_name, "Record consent", parent)
        self.channel = choice_combo([c.value for c in ConsentChannel], channel_label, channel)
        self.purpose = choice_combo(
            [p.value for p in ConsentPurpose], lambda v: PURPOSE_LABELS.get(v, v), purpose
        )
        self.granted = QRadioButton("Granted")
        self.withdrawn = QRadioButton("Withdrawn")
        self.granted.setChecked(True)
        self.granted.setToolTip("The client agrees to be contacted this way for this purpose")
        self.withdrawn.setToolTip("The client no longer agrees")
        self._actions = QButtonGroup(self)
        self._actions.addButton(self.granted)
        self._actions.addButton(self.withdrawn)
        action = QWidget()
        action.setAccessibleName("Consent granted or withdrawn")
        action.setFocusProxy(self.granted)  # an error on the choice lands on its first option
        radios = QHBoxLayout(action)
        radios.setContentsMargins(0, 4, 0, 4)
        radios.setSpacing(18)
        radios.addWidget(self.granted)
        radios.addWidget(self.withdrawn)
        radios.addStretch(1)

        kinds = [k.value for k in ProofKind if k is not ProofKind.IMPORTED]
        self.proof_kind = choice_combo(kinds, lambda v: PROOF_LABELS.get(v, v), "signature")
        self.proof_text = QPlainTextEdit()
        self.proof_text.setTabChangesFocus(True)
        self.proof_text.setFixedHeight(64)
        self.pad = SignaturePad()

        self.body.addLayout(
            grid(
                self.field("channel", "Channel", self.channel),
                self.field("purpose", "Purpose", self.purpose),
                stretch=(1, 2),
            )
        )
        self.body.addLayout(
            grid(
                self.field("action", "The client has", action, extra=(self.withdrawn,)),
                self.field("proof_kind", "Proof", self.proof_kind),
                stretch=(1, 2),
            )
        )
        self.body.addWidget(self.field("proof_text", "Proof details", self.proof_text))
        self.signature_block = self.field("proof_image", "Client's signature", self.pad)
        self.body.addWidget(self.signature_block, 1)
        self.body.addStretch(0)
        self.proof_kind.currentIndexChanged.connect(self._proof_kind_changed)
        self._proof_kind_changed()
        self.set_tab_order(
            self.channel,
            self.purpose,
            self.granted,
            self.withdrawn,
            self.proof_kind,
            self.proof_text,
            self.pad,
            self.pad.clear_button,
        )
        self.resize(640, 620)
        self.channel.setFocus()

    def _proof_kind_changed(self) -> None:
        kind = str(self.proof_kind.currentData())
        self.signature_block.setVisible(kind == ProofKind.SIGNATURE.value)
        self.proof_text.setPlaceholderText(PROOF_TEXT_HINTS.get(kind, ""))

    def operation(self) -> Operation:
        client_id = self.client_id
        channel, purpose = str(self.channel.currentData()), str(self.purpose.currentData())
        action = (
            ConsentAction.GRANTED if self.granted.isChecked() else ConsentAction.WITHDRAWN
        ).value
        proof_kind, proof_text = str(self.proof_kind.currentData()), self.proof_text.toPlainText()
        signed = proof_kind == ProofKind.SIGNATURE.value and not self.pad.is_empty()
        # Rendered here: a widget may only be painted on the GUI thread.
        image = self.pad.png_bytes() if signed else None
        return lambda s: s.activity.record_consent(
            client_id, channel, purpose, action, proof_kind, proof_text, proof_image=image
        )
