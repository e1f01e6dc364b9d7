"""Which webhook URLs may be called: HTTPS in production, and never (unless a setting allows it, in
development and tests) a host that resolves to a private, loopback, link-local or reserved address."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class RefusedURL(ValueError):
    """The URL may not receive webhooks; the message says why."""


def check_url(url: str, config) -> None:
    """Raise ``RefusedURL`` unless ``url`` may receive webhooks under ``config``."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RefusedURL("Give an absolute https:// URL.")
    if parts.scheme != "https" and config.get("APP_ENV") == "production":
        raise RefusedURL("Webhook URLs must use HTTPS.")
    if config.get("WEBHOOK_ALLOW_PRIVATE_URLS"):
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, ValueError) as exc:
        raise RefusedURL(f"The host {parts.hostname!r} cannot be resolved.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise RefusedURL("The URL resolves to a private, loopback or link-local address.")
