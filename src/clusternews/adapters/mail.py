"""SMTP: one connection per batch, STARTTLS or implicit TLS, login from the settings."""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType

from clusternews.config.schema import Smtp

log = logging.getLogger(__name__)


class MailError(Exception):
    """mail: a message was not accepted; `permanent` for 5xx answers (retrying will not help)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    starttls: bool = False
    ssl: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_config(
        cls, smtp: Smtp, *, user: str | None = None, password: str | None = None
    ) -> SmtpSettings:
        """feeds.yaml's `smtp:` with the login from the settings (CLUSTERNEWS_SMTP_USER and
        CLUSTERNEWS_SMTP_PASSWORD: secrets stay out of the config file)."""
        user, password = user or None, password or None
        if password and not (smtp.starttls or smtp.ssl or _loopback(smtp.host)):
            raise MailError(
                f"mail: refusing to send the SMTP password unencrypted to "
                f"{smtp.host}; set smtp.starttls or smtp.ssl in feeds.yaml",
                permanent=True,
            )
        return cls(smtp.host, smtp.port, smtp.from_, smtp.starttls, smtp.ssl, user, password)


class Mailer:
    """Sends messages one recipient at a time; reconnects when a connection broke."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def send(self, message: EmailMessage, recipient: str) -> None:
        try:
            conn = self._connect()
            refused = conn.send_message(
                message, from_addr=self.settings.sender, to_addrs=[recipient]
            )
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (0, b""))
            raise self._error(code, text) from None
        except smtplib.SMTPResponseException as exc:
            self.close() if exc.smtp_code == 421 else self._reset()
            raise self._error(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailError(f"mail: {self.settings.host}:{self.settings.port}: {exc}") from None
        if refused:  # one recipient only, so this means it was refused
            code, text = refused[recipient]
            raise self._error(code, text)
        log.info("digest mail sent", extra={"recipient": recipient})

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                self._conn.close()
            self._conn = None

    def _connect(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        s = self.settings
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if s.ssl:
            conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                conn.starttls(context=context)
        if s.user and s.password:
            conn.login(s.user, s.password)
        self._conn = conn
        return conn

    def _reset(self) -> None:
        if self._conn is not None:
            try:
                self._conn.rset()
            except (OSError, smtplib.SMTPException):
                self.close()

    def _error(self, code: int, text: bytes | str) -> MailError:
        detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        return MailError(f"mail: {code} {detail}", permanent=500 <= code < 600)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
