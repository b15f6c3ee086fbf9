"""Fetching articles safely and archiving them as sources (articles.py reads what a page holds;
extract.py proposes its claims).

The guard against server-side request forgery: only http(s); every address the host resolves to
must be public (not loopback, private, link-local, multicast, reserved or unspecified, IPv4 or
IPv6, IPv4-mapped included); redirects are followed here, one hop at a time, each checked the same
way; and the connection goes to the address that was checked (the URL is rewritten to that
address, the Host header and TLS server name stay the host's), so a DNS answer that changes
between the check and the connect is never used.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy.orm import Session

from tracker.errors import Invalid, TrackerError
from tracker.imports.articles import HTML_TYPES, TEXT_TYPES, Article, decode, extract_article
from tracker.imports.watchdog import DeadlinePassed, Watchdog, watch_pools
from tracker.models import Source
from tracker.record import services

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
DEADLINE_SECONDS = 30.0
CHUNK = 64 * 1024
USER_AGENT = "ClaimTracker/0.1 (+archiving an article for fact-checking)"
REDIRECTS = (301, 302, 303, 307, 308)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
AddressPolicy = Callable[[IPAddress], bool]


class FetchRefused(Invalid):
    """The address may not be fetched, or what it answered may not be archived."""

    code = "fetch_refused"


class FetchFailed(TrackerError):
    """The other server did not give a usable answer."""

    status = 502
    code = "fetch_failed"


class FetchTimedOut(FetchFailed):
    """The other server did not give its whole answer within the fetch's deadline."""

    status = 504
    code = "fetch_timed_out"


@dataclass(frozen=True)
class Fetched:
    """A page as received: the final URL, its media type and charset, and the raw bytes."""

    url: str
    content_type: str
    charset: str | None
    body: bytes
    fetched_at: dt.datetime


class Fetcher(Protocol):
    def fetch(self, url: str) -> Fetched: ...


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")


def is_public_address(address: IPAddress) -> bool:
    """True when the address is routable on the public internet. IPv6 forms that carry an IPv4
    address (mapped, 6to4, NAT64) are judged by that address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
        if address.teredo is not None or address in SITE_LOCAL:
            return False
    return (
        not (
            address.is_loopback
            or address.is_private
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        )
        and address.is_global
    )


def allow_any_address(_address: IPAddress) -> bool:
    return True


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed(
            f"the host {host} could not be resolved ({error})", {"url": "no such host"}
        ) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _PinnedAdapter(HTTPAdapter):
    """Connects to the URL's (already checked) address while naming `hostname` in TLS."""

    def __init__(self, hostname: str) -> None:
        self._hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["server_hostname"] = self._hostname
        kwargs["assert_hostname"] = self._hostname
        super().init_poolmanager(*args, **kwargs)
        watch_pools(self.poolmanager)  # the fetch's deadline shuts its sockets down


@dataclass
class HttpFetcher:
    """Fetches one page with requests behind the SSRF guard, the size cap and the timeouts."""

    address_allowed: AddressPolicy = is_public_address
    resolver: Resolver = system_resolver
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT
    deadline_seconds: float = DEADLINE_SECONDS
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS
    clock: Callable[[], float] = time.monotonic
    user_agent: str = USER_AGENT
    # Certificates are checked against the host name (not the pinned address); a CA bundle
    # path replaces the default trust store (tests use one of their own).
    verify: bool | str = True

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HttpFetcher:
        allow_private = str(config.get("ALLOW_PRIVATE_FETCH") or "").lower() in {"1", "true"}
        return cls(address_allowed=allow_any_address if allow_private else is_public_address)

    def fetch(self, url: str) -> Fetched:
        """The page at `url`, within `deadline_seconds` from the first lookup to the body's last
        byte, however slowly the other server sends (FetchTimedOut past it)."""
        with Watchdog(self.deadline_seconds) as watchdog:
            try:
                fetched = self._fetch(url, watchdog)
            except TrackerError:
                if watchdog.expired:  # what was read before the sockets were shut is cut off
                    raise self._timed_out(url) from None
                raise
            if watchdog.expired:  # a body read to the end of the connection: cut off too
                raise self._timed_out(url)
            return fetched

    def _timed_out(self, url: str) -> FetchTimedOut:
        return FetchTimedOut(
            f"fetching {url} took longer than {self.deadline_seconds:g} seconds",
            {"url": "timed out"},
        )

    def _fetch(self, url: str, watchdog: Watchdog) -> Fetched:
        deadline = self.clock() + self.deadline_seconds
        current = url
        for _ in range(self.max_redirects + 1):
            response = self._request(current, deadline, watchdog)
            try:
                if response.status_code in REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchFailed(
                            f"{current} redirected without saying where", {"url": "bad redirect"}
                        )
                    current = urljoin(current, location.strip())
                    continue
                return self._read(current, response, deadline)
            finally:
                response.close()
        raise FetchRefused(
            f"more than {self.max_redirects} redirects from {url}", {"url": "too many redirects"}
        )

    def _vetted(self, url: str, deadline: float, watchdog: Watchdog) -> tuple[list[str], str, str]:
        """(the URL with each checked address as its host, Host header, host name) for a hop."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchRefused(
                f"only http and https addresses are fetched, not {parts.scheme}: addresses"
                if parts.scheme
                else f"{url!r} is not a web address: give one starting with https:// or http://",
                {"url": "only http(s)" if parts.scheme else "not a web address"},
            )
        if parts.username is not None or parts.password is not None:
            raise FetchRefused(
                "addresses carrying a user name or password are not fetched",
                {"url": "credentials in the address"},
            )
        host = parts.hostname
        if not host:
            raise FetchRefused(f"{url} names no host", {"url": "no host"})
        default_port = 443 if scheme == "https" else 80
        try:
            port = parts.port or default_port
        except ValueError:
            raise FetchRefused(f"{url} has an invalid port", {"url": "invalid port"}) from None
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is None:
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise FetchRefused(
                    f"{host} is not a valid host name", {"url": "bad host"}
                ) from None
        if literal is not None:
            raw = [str(literal)]
        else:
            name = host
            try:
                raw = watchdog.within(
                    lambda: self.resolver(name, port), self._remaining(deadline, url)
                )
            except DeadlinePassed:
                raise self._timed_out(url) from None
        try:
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in raw]
        except ValueError:
            raise FetchFailed(
                f"{host} resolved to something not an address", {"url": "bad DNS"}
            ) from None
        if not addresses:
            raise FetchFailed(f"the host {host} has no address", {"url": "no such host"})
        refused = [a for a in addresses if not self.address_allowed(a)]
        if refused:
            raise FetchRefused(
                f"{host} resolves to {refused[0]}, which is not a public address: refused",
                {"url": "not a public address"},
            )
        shown_host = f"[{host}]" if ":" in host else host
        host_header = shown_host if port == default_port else f"{shown_host}:{port}"
        pinned = [
            urlunsplit(
                (
                    scheme,
                    f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}",
                    parts.path or "/",
                    parts.query,
                    "",
                )
            )
            for address in addresses
        ]
        return pinned, host_header, host

    def _remaining(self, deadline: float, url: str) -> float:
        remaining = deadline - self.clock()
        if remaining <= 0:
            raise self._timed_out(url)
        return remaining

    def _request(self, url: str, deadline: float, watchdog: Watchdog) -> requests.Response:
        """One GET of one hop, to the first of the host's checked addresses that accepts."""
        pinned_urls, host_header, host = self._vetted(url, deadline, watchdog)
        headers = {
            "Host": host_header,
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
            "Accept-Encoding": "identity",
        }
        for attempt, pinned_url in enumerate(pinned_urls):
            remaining = self._remaining(deadline, url)
            session = requests.Session()
            session.trust_env = False  # a proxy from the environment would bypass the check
            adapter = _PinnedAdapter(host)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            try:
                return session.get(
                    pinned_url,
                    headers=headers,
                    allow_redirects=False,
                    stream=True,
                    verify=self.verify,
                    timeout=(
                        min(self.connect_timeout, remaining),
                        min(self.read_timeout, remaining),
                    ),
                )
            except requests.ConnectionError as error:
                if isinstance(error, requests.ConnectTimeout) or attempt + 1 == len(pinned_urls):
                    raise self._failure(url, error) from None
            except requests.RequestException as error:
                raise self._failure(url, error) from None
            finally:
                session.close()
        raise FetchFailed(f"{url} could not be fetched", {"url": "fetch failed"})

    @staticmethod
    def _failure(url: str, error: requests.RequestException) -> FetchFailed:
        if isinstance(error, requests.Timeout):
            return FetchTimedOut(f"{url} did not answer in time", {"url": "timed out"})
        return FetchFailed(
            f"{url} could not be fetched: {type(error).__name__}", {"url": "fetch failed"}
        )

    def _read(self, url: str, response: requests.Response, deadline: float) -> Fetched:
        if response.status_code != 200:
            raise FetchFailed(
                f"{url} answered HTTP {response.status_code}",
                {"url": f"HTTP {response.status_code}"},
            )
        media_type, charset = parse_content_type(response.headers.get("Content-Type", ""))
        if media_type not in HTML_TYPES + TEXT_TYPES:
            raise FetchRefused(
                f"{url} is {media_type or 'of no stated type'}: only HTML and plain text are"
                " archived",
                {"url": "not HTML or plain text"},
            )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchRefused(
                f"{url} is larger than {self.max_bytes // (1024 * 1024)} MB",
                {"url": "too large"},
            )
        body = bytearray()
        try:
            for chunk in response.iter_content(CHUNK):
                body.extend(chunk)
                if len(body) > self.max_bytes:
                    raise FetchRefused(
                        f"{url} is larger than {self.max_bytes // (1024 * 1024)} MB",
                        {"url": "too large"},
                    )
                self._remaining(deadline, url)
        except requests.RequestException:
            raise FetchFailed(f"{url} stopped answering", {"url": "timed out"}) from None
        return Fetched(
            url=url,
            content_type=media_type,
            charset=charset,
            body=bytes(body),
            fetched_at=dt.datetime.now(dt.UTC),
        )


def parse_content_type(value: str) -> tuple[str, str | None]:
    """('text/html', 'utf-8') from 'text/html; charset=UTF-8'."""
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset" and raw.strip():
            charset = raw.strip().strip("\"'").lower()
    return media.strip().lower(), charset


def read_fetched(fetched: Fetched) -> Article:
    """The article in a fetched page: HTML through trafilatura, plain text as it came."""
    page = decode(fetched.body, fetched.content_type, fetched.charset)
    if fetched.content_type in TEXT_TYPES:
        text = page.replace("\r\n", "\n").replace("\r", "\n").strip()
        first = text.split("\n", 1)[0].strip()
        return Article(text, title=first[:500] or None)
    return extract_article(page, fetched.url)


def import_fetched(
    session: Session,
    fetched: Fetched,
    *,
    url: str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    author: str | None = None,
    published_at: dt.datetime | None = None,
    actor_id: int | None = None,
    new_version: bool = False,
) -> Source:
    """Archive a fetched page (or a file read as one): its main text, raw bytes and sha256.
    Values given win over what the page declares."""
    article = read_fetched(fetched)
    if not article.text.strip():
        if fetched.url.startswith("file:"):
            raise Invalid(
                f"no article text could be found in {fetched.url}: the file is empty, or holds "
                "no text an article could be read from",
                {"file": "no text"},
            )
        raise Invalid(
            f"no article text could be found in {url or 'the page'}; paste the text instead",
            {"text": "nothing extracted"},
        )
    final_title = (title or "").strip() or article.title
    if not final_title:
        raise Invalid("the page declares no title: give one", {"title": "required"})
    return services.record_source(
        session,
        title=final_title,
        text=article.text,
        url=url,
        outlet=outlet or article.outlet,
        author=author or article.author,
        published_at=published_at or article.published_at,
        fetched_at=fetched.fetched_at,
        raw_body=fetched.body,
        raw_content_type=fetched.content_type
        + (f"; charset={fetched.charset}" if fetched.charset else ""),
        actor_id=actor_id,
        new_version=new_version,
    )


def import_source(
    session: Session,
    *,
    url: str | None = None,
    text: str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    author: str | None = None,
    published_at: dt.datetime | None = None,
    fetcher: Fetcher | None = None,
    actor_id: int | None = None,
    new_version: bool = False,
) -> Source:
    """Archive a source: the text given, or else the page at `url` fetched through `fetcher`
    (what POST /api/v1/sources does when its body has no text). A text or address archived
    before is refused (see record_source); callers that fetch check the address first with
    `duplicates.check_new_address` and end that read before fetching."""
    if text is not None:
        return services.record_source(
            session,
            title=title or "",
            text=text,
            url=url,
            outlet=outlet,
            author=author,
            published_at=published_at,
            actor_id=actor_id,
            new_version=new_version,
        )
    if not url or not url.strip():
        raise Invalid("give the text, or a url to fetch it from", {"url": "required"})
    services.check_url(url)
    if fetcher is None:
        raise Invalid("fetching is not available here", {"url": "no fetcher"})
    fetched = fetcher.fetch(url.strip())
    return import_fetched(
        session,
        fetched,
        url=url.strip(),
        title=title,
        outlet=outlet,
        author=author,
        published_at=published_at,
        actor_id=actor_id,
        new_version=new_version,
    )


def read_file(path: Path) -> Fetched:
    """A file on disk read as a fetched page: .html/.htm as HTML, anything else as plain text."""
    try:
        body = path.read_bytes()
    except OSError as error:
        raise Invalid(f"{path} cannot be read: {error.strerror}", {"file": "unreadable"}) from None
    if len(body) > MAX_BYTES:
        raise FetchRefused(f"{path} is larger than 5 MB", {"file": "too large"})
    media_type = "text/html" if path.suffix.lower() in (".html", ".htm", ".xhtml") else "text/plain"
    return Fetched(
        url=path.resolve().as_uri(),
        content_type=media_type,
        charset=None,
        body=body,
        fetched_at=dt.datetime.now(dt.UTC),
    )
