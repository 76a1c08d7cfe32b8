"""Device tokens live in the operating system's keyring, never in the book or a settings file.

Desktops use their own keyring (Windows Credential Locker, macOS Keychain, Secret Service).
A headless machine (a server running the nightly `vitrine sync`, CI) selects a backend
explicitly, e.g. `PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring`; see the README.
"""

from __future__ import annotations

import contextlib

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from sync.engine import SyncError

SERVICE = "vitrine-sync"


class KeyringUnavailable(SyncError):
    exit_code = 11


class KeyringTokens:
    def save(self, device_id: str, token: str) -> None:
        try:
            keyring.set_password(SERVICE, device_id, token)
        except NoKeyringError as exc:
            raise KeyringUnavailable(
                "no keyring is available to keep the device token: on a headless machine set "
                "PYTHON_KEYRING_BACKEND (see the README, 'Sync on a headless machine')"
            ) from exc
        except KeyringError as exc:
            raise KeyringUnavailable(f"the keyring refused the device token: {exc}") from exc

    def load(self, device_id: str) -> str | None:
        try:
            return keyring.get_password(SERVICE, device_id)
        except NoKeyringError as exc:
            raise KeyringUnavailable(
                "no keyring is available to read the device token: set PYTHON_KEYRING_BACKEND "
                "(see the README)"
            ) from exc
        except KeyringError as exc:
            raise KeyringUnavailable(f"the keyring could not be read: {exc}") from exc

    def delete(self, device_id: str) -> None:
        with contextlib.suppress(PasswordDeleteError, NoKeyringError):
            keyring.delete_password(SERVICE, device_id)
