"""Fetching a URL a user named (a QR logo) without letting it reach our own network.

The host is resolved once; every address must be public (urlcheck.public_address), and the
connection goes to the address that was checked, with the URL's host in the Host header and as
the TLS server name. Connecting by name would resolve it again, and a second answer can be a
private address (DNS rebinding). Redirects are not followed, and no proxy from the environment
is used (it would resolve the name itself).
"""

import http.client
import socket
import ssl

import ada_url

from likepion.core.errors import ValidationFailed
from likepion.shortener import urlcheck

TIMEOUT_SECONDS = 5
DEFAULT_PORTS = {"http:": 80, "https:": 443}


def fetch_public(url: str, field: str, max_bytes: int) -> bytes:
    """The body of a 200 answer to GET `url`, at most `max_bytes` + 1 bytes (so the caller can
    tell it is too large); a 422 on `field` when the host is not public or the fetch fails."""
    host = urlcheck.browser_host(url, field)
    parsed = ada_url.URL(url)
    port = int(parsed.port or DEFAULT_PORTS[parsed.protocol])
    address = urlcheck.public_address(host, port)
    if address is None:
        raise ValidationFailed.on_field(field, f"The {field}'s host must be a public address.")
    connection_class = (
        PinnedHTTPSConnection if parsed.protocol == "https:" else PinnedHTTPConnection
    )
    connection = connection_class(host, port, address=address, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("GET", parsed.pathname + parsed.search)
        response = connection.getresponse()
        if response.status != 200:
            raise ValidationFailed.on_field(field, f"The {field} could not be downloaded.")
        return response.read(max_bytes + 1)
    except (OSError, http.client.HTTPException):
        raise ValidationFailed.on_field(field, f"The {field} could not be downloaded.") from None
    finally:
        connection.close()


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to `address` for the host `host` (sent as the Host header)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(PinnedHTTPConnection):
    """The same over TLS: the certificate is checked against `host`, not the address."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)
