"""Fetching against a local server: the request-forgery guard, redirects, size, type, time and
charset; then archiving what was fetched with its hash and metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from tracker.errors import Invalid
from tracker.imports import articles, sources
from tracker.imports import candidates as proposals
from tracker.imports.sources import (
    FetchFailed,
    FetchRefused,
    HttpFetcher,
    allow_any_address,
    is_public_address,
)

ARTICLE = """<!doctype html>
<html><head>
<title>Harbor City's reservoir gamble | The Valley Ledger</title>
<meta property="og:title" content="Harbor City's reservoir gamble">
<meta property="og:site_name" content="The Valley Ledger">
<meta name="author" content="Ada Quill">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Harbor City's reservoir gamble",
 "datePublished": "2025-03-10T08:00:00-04:00",
 "author": {"@type": "Person", "name": "Ada Quill"},
 "publisher": {"@type": "Organization", "name": "The Valley Ledger"}}
</script>
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
<h1>Harbor City's reservoir gamble</h1>
<p>Last summer the Linden Reservoir fell to 41 percent of capacity, its lowest level since 1977.
The council raised water prices by 8 percent on January 15.</p>
<p>Water prices may rise again next month. The state is likely to declare a drought emergency
this year, and the desalination plant will not open before 2027.</p>
</article>
<footer>Subscribe to our newsletter.</footer>
</body></html>
"""


LOCAL = "127.0.0.1"  # where pytest-httpserver listens ("localhost")


def public_here(server: HTTPServer) -> sources.AddressPolicy:
    """Treat the test server's own address as if it were public; judge every other address as
    production does."""
    local = ipaddress.ip_address(LOCAL)
    return lambda address: address == local or is_public_address(address)


def resolver(table: dict[str, list[str]], calls: list[str] | None = None) -> sources.Resolver:
    def resolve(host: str, _port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise FetchFailed(f"the host {host} could not be resolved")
        return table[host]

    return resolve


def test_a_loopback_url_is_refused_unless_allowed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data(ARTICLE, content_type="text/html")
    with pytest.raises(FetchRefused, match="not a public address"):
        HttpFetcher().fetch(httpserver.url_for("/a"))
    assert httpserver.log == []
    fetched = HttpFetcher(address_allowed=allow_any_address).fetch(httpserver.url_for("/a"))
    assert fetched.body == ARTICLE.encode()
    assert fetched.content_type == "text/html"


def test_allow_private_fetch_comes_from_configuration(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("plain words", content_type="text/plain")
    allowed = HttpFetcher.from_config({"ALLOW_PRIVATE_FETCH": 1})
    assert allowed.fetch(httpserver.url_for("/a")).body == b"plain words"
    with pytest.raises(FetchRefused):
        HttpFetcher.from_config({"ALLOW_PRIVATE_FETCH": False}).fetch(httpserver.url_for("/a"))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.8",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
        "224.0.0.251",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:a00:1::1",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111", "::ffff:1.1.1.1"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


def test_a_host_with_any_private_address_is_refused_before_connecting() -> None:
    fetcher = HttpFetcher(resolver=resolver({"mixed.example": ["93.184.215.14", "10.1.2.3"]}))
    with pytest.raises(FetchRefused, match=r"10\.1\.2\.3"):
        fetcher.fetch("http://mixed.example/story")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://user:secret@example.com/",
        "http:///no-host",
    ],
)
def test_other_schemes_credentials_and_hostless_urls_are_refused(url: str) -> None:
    with pytest.raises(FetchRefused):
        HttpFetcher(resolver=resolver({})).fetch(url)


@pytest.mark.parametrize(
    "target",
    ["http://intranet.example:{port}/secret", "http://169.254.169.254/latest/meta-data/"],
)
def test_a_redirect_to_a_private_address_is_refused(httpserver: HTTPServer, target: str) -> None:
    port = httpserver.port
    httpserver.expect_request("/story").respond_with_data(
        "", status=302, headers={"Location": target.format(port=port)}
    )
    httpserver.expect_request("/secret").respond_with_data("internal", content_type="text/plain")
    fetcher = HttpFetcher(
        address_allowed=public_here(httpserver),
        resolver=resolver({"news.example": [LOCAL], "intranet.example": ["10.0.0.8"]}),
    )
    with pytest.raises(FetchRefused, match="not a public address"):
        fetcher.fetch(f"http://news.example:{port}/story")
    assert [entry[0].path for entry in httpserver.log] == ["/story"]
    assert httpserver.log[0][0].headers["Host"] == f"news.example:{port}"


def test_redirects_are_followed_and_checked_each_time(httpserver: HTTPServer) -> None:
    port = httpserver.port
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": f"http://www.news.example:{port}/new"}
    )
    httpserver.expect_request("/new").respond_with_data("moved here", content_type="text/plain")
    calls: list[str] = []
    fetcher = HttpFetcher(
        address_allowed=public_here(httpserver),
        resolver=resolver({"news.example": [LOCAL], "www.news.example": [LOCAL]}, calls),
    )
    fetched = fetcher.fetch(f"http://news.example:{port}/old")
    assert fetched.body == b"moved here"
    assert fetched.url == f"http://www.news.example:{port}/new"
    # One lookup per hop, and the connection went to the address that lookup gave: a second,
    # different answer (DNS rebinding) is never asked for.
    assert calls == ["news.example", "www.news.example"]


def test_more_than_five_redirects_are_refused(httpserver: HTTPServer) -> None:
    for n in range(7):
        httpserver.expect_request(f"/r{n}").respond_with_data(
            "", status=302, headers={"Location": f"/r{n + 1}"}
        )
    with pytest.raises(FetchRefused, match="more than 5 redirects"):
        HttpFetcher(address_allowed=allow_any_address).fetch(httpserver.url_for("/r0"))
    assert len(httpserver.log) == 6


def test_an_oversize_body_is_refused(httpserver: HTTPServer) -> None:
    big = b"<p>" + b"x" * (5 * 1024 * 1024) + b"</p>"
    httpserver.expect_request("/big").respond_with_data(big, content_type="text/html")
    with pytest.raises(FetchRefused, match="larger than 5 MB"):
        HttpFetcher(address_allowed=allow_any_address).fetch(httpserver.url_for("/big"))


def test_an_oversize_body_without_a_length_is_cut_off_while_reading(
    httpserver: HTTPServer,
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"y" * 1000

    httpserver.expect_request("/stream").respond_with_response(
        Response(chunks(), content_type="text/plain")
    )
    fetcher = HttpFetcher(address_allowed=allow_any_address, max_bytes=20_000)
    with pytest.raises(FetchRefused, match="larger than"):
        fetcher.fetch(httpserver.url_for("/stream"))


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/json", ""])
def test_bodies_other_than_html_or_text_are_refused(
    httpserver: HTTPServer, content_type: str
) -> None:
    response = Response(b"%PDF-1.7", headers={"Content-Type": content_type})
    if not content_type:
        del response.headers["Content-Type"]
    httpserver.expect_request("/file").respond_with_response(response)
    with pytest.raises(FetchRefused, match="only HTML and plain text"):
        HttpFetcher(address_allowed=allow_any_address).fetch(httpserver.url_for("/file"))


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A server that answers each request in its own thread, so a slow answer left behind by
    one test does not hold up the next."""
    server = HTTPServer(host=LOCAL, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_a_slow_server_times_out(threaded_server: HTTPServer) -> None:
    httpserver = threaded_server

    def slow(_request: Request) -> Response:
        time.sleep(1.0)
        return Response("late", content_type="text/plain")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    fetcher = HttpFetcher(address_allowed=allow_any_address, read_timeout=0.2)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="did not answer in time"):
        fetcher.fetch(httpserver.url_for("/slow"))
    assert time.monotonic() - started < 0.9


def test_a_trickling_server_hits_the_overall_deadline(threaded_server: HTTPServer) -> None:
    httpserver = threaded_server

    def trickle() -> Iterator[bytes]:
        for _ in range(8):
            time.sleep(0.1)
            yield b"word "

    httpserver.expect_request("/trickle").respond_with_response(
        Response(trickle(), content_type="text/plain")
    )
    fetcher = HttpFetcher(address_allowed=allow_any_address, deadline_seconds=0.3)
    with pytest.raises(FetchFailed, match="took longer than"):
        fetcher.fetch(httpserver.url_for("/trickle"))


def test_an_http_error_is_reported(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    with pytest.raises(FetchFailed, match="HTTP 404"):
        HttpFetcher(address_allowed=allow_any_address).fetch(httpserver.url_for("/gone"))


WINDOWS_1252 = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    "<title>Caf\u00e9 prices</title></head><body><article>"
    "<p>The caf\u00e9\u2019s owner said prices will rise by a fifth before the summer is out,"
    " and the na\u00efve plan to absorb the cost is over.</p>"
    "<p>A second paragraph keeps the extractor content with enough words to count as the"
    " article\u2019s main text rather than boilerplate around it.</p>"
    "</article></body></html>"
).encode("cp1252")


def test_a_charset_in_a_meta_tag_decodes_right(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cafe").respond_with_data(WINDOWS_1252, content_type="text/html")
    fetched = HttpFetcher(address_allowed=allow_any_address).fetch(httpserver.url_for("/cafe"))
    article = sources.read_fetched(fetched)
    assert "caf\u00e9\u2019s owner" in article.text and "na\u00efve" in article.text
    assert article.title == "Caf\u00e9 prices"


def test_the_header_charset_wins_over_the_page() -> None:
    page = '<meta charset="utf-8"><p>na\u00efve</p>'.encode("latin-1")
    assert "na\u00efve" in articles.decode(page, "text/html", "iso-8859-1")
    assert "na\u00efve" in articles.decode("<p>na\u00efve</p>".encode(), "text/html", None)


def test_fetched_pages_are_archived_with_their_hash_and_metadata(
    httpserver: HTTPServer, session: Session
) -> None:
    body = ARTICLE.encode()
    httpserver.expect_request("/story").respond_with_data(
        body, content_type="text/html; charset=utf-8"
    )
    url = httpserver.url_for("/story")
    source = sources.import_source(
        session, url=url, fetcher=HttpFetcher(address_allowed=allow_any_address)
    )
    session.commit()
    session.expire_all()
    assert source.raw_body == body
    assert source.raw_sha256 == hashlib.sha256(body).hexdigest()
    assert source.raw_content_type == "text/html; charset=utf-8"
    assert source.text_sha256 == hashlib.sha256(source.text.encode()).hexdigest()
    assert source.title == "Harbor City's reservoir gamble"
    assert source.author == "Ada Quill" and source.outlet == "The Valley Ledger"
    assert source.published_at == dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)
    assert "Water prices may rise again next month." in source.text
    assert "Subscribe" not in source.text and "Home" not in source.text
    kinds = [p.candidate.kind for p in proposals.list_candidates(session, source.id)]
    # "likely to declare ..., and the plant will not open ...": two forecasts of one sentence.
    assert kinds.count("forecast") == 3 and kinds.count("fact") == 2


@pytest.mark.parametrize("levels", [1_000, 100_000])
def test_a_page_with_json_ld_nested_too_deep_is_still_read(
    httpserver: HTTPServer, session: Session, levels: int
) -> None:
    """Its JSON-LD is passed over (it used to exhaust the parser's recursion: a 500)."""
    deep = "[" * levels + "]" * levels
    page = ARTICLE.replace("</head>", f'<script type="application/ld+json">{deep}</script></head>')
    httpserver.expect_request("/story").respond_with_data(page, content_type="text/html")
    source = sources.import_source(
        session,
        url=httpserver.url_for("/story"),
        fetcher=HttpFetcher(address_allowed=allow_any_address),
    )
    assert "Water prices may rise again next month." in source.text
    assert source.title


def test_values_given_win_over_the_page(httpserver: HTTPServer, session: Session) -> None:
    httpserver.expect_request("/story").respond_with_data(ARTICLE, content_type="text/html")
    source = sources.import_source(
        session,
        url=httpserver.url_for("/story"),
        title="Given title",
        author="Given Author",
        published_at=dt.datetime(2025, 3, 11, tzinfo=dt.UTC),
        fetcher=HttpFetcher(address_allowed=allow_any_address),
    )
    assert (source.title, source.author, source.outlet) == (
        "Given title",
        "Given Author",
        "The Valley Ledger",
    )
    assert source.published_at == dt.datetime(2025, 3, 11, tzinfo=dt.UTC)


def test_a_page_without_a_title_needs_one(httpserver: HTTPServer, session: Session) -> None:
    httpserver.expect_request("/t").respond_with_data(
        "\n\nWords without a title line will still be words.", content_type="text/plain"
    )
    fetcher = HttpFetcher(address_allowed=allow_any_address)
    source = sources.import_source(session, url=httpserver.url_for("/t"), fetcher=fetcher)
    assert source.title.startswith("Words without")
    with pytest.raises(Invalid, match="give the text, or a url"):
        sources.import_source(session, fetcher=fetcher)


def test_pasted_text_is_archived_without_fetching(session: Session) -> None:
    class Refuse:
        def fetch(self, url: str) -> Any:
            raise AssertionError("nothing should be fetched")

    source = sources.import_source(
        session, text="Prices will rise.", title="Note", fetcher=Refuse()
    )
    assert source.raw_body is None and source.raw_sha256 is None


def test_a_file_is_read_as_a_page(tmp_path: Path, session: Session) -> None:
    page = tmp_path / "story.html"
    page.write_text(ARTICLE, encoding="utf-8")
    source = sources.import_fetched(session, sources.read_file(page))
    assert source.url is None and source.raw_sha256 == hashlib.sha256(page.read_bytes()).hexdigest()
    assert source.title == "Harbor City's reservoir gamble"


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[HTTPServer, str]]:
    """An HTTPS server on 127.0.0.1 whose certificate names news.example, and the path of the
    test CA that signed it."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("news.example").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    server = HTTPServer(host=LOCAL, ssl_context=context)
    server.start()
    yield server, str(bundle)
    server.clear()
    server.stop()


def test_https_to_the_pinned_address_still_checks_the_host_name(
    tls_server: tuple[HTTPServer, str],
) -> None:
    server, bundle = tls_server
    server.expect_request("/story").respond_with_data("over TLS", content_type="text/plain")
    fetcher = HttpFetcher(
        address_allowed=public_here(server),
        resolver=resolver({"news.example": [LOCAL], "impostor.example": [LOCAL]}),
        verify=bundle,
    )
    # The connection goes to 127.0.0.1, yet TLS names and verifies news.example.
    assert fetcher.fetch(f"https://news.example:{server.port}/story").body == b"over TLS"
    with pytest.raises(FetchFailed, match="SSLError"):
        fetcher.fetch(f"https://impostor.example:{server.port}/story")


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://2130706433/",  # 127.0.0.1 written as one number
        "http://0x7f.0.0.1/",
        "http://0177.0.0.1/",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://0.0.0.0/",
    ],
)
def test_other_spellings_of_loopback_are_refused(url: str) -> None:
    # These resolve from the address itself or /etc/hosts: no DNS server is asked.
    with pytest.raises(FetchRefused, match="not a public address"):
        HttpFetcher().fetch(url)
