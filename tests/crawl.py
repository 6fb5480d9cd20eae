"""Walk every page a role can reach by following links, once per URL pattern, so that tests can
check each staff page (language, phone width) without listing the pages by hand."""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.urls import Resolver404, resolve

# Links never followed: signing out, admin, API, language switch, downloads and public
# form posts reached only by GET links.
SKIP = re.compile(
    r"^/(accounts/logout|admin/|api/|i18n/|media/|static/|sw\.js|manifest)|\.(pdf|xlsx|csv|txt|png|svg)$"
)
DOWNLOAD_ROUTES = {
    "export",
    "template",
    "batch_file",
    "station_boards_pdf",
    "notice_board_pdf",
    "receipt_pdf",
}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(urldefrag(href)[0])


def route_of(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client, start: str = "/", *, max_pages: int = 300) -> dict[str, tuple[str, str]]:
    """``{route name: (url, html)}``: one page per URL pattern reachable from ``start``."""
    pages: dict[str, tuple[str, str]] = {}
    queue, queued_routes = deque([start]), {route_of(start)}
    while queue and len(pages) < max_pages:
        url = queue.popleft()
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        name = route_of(response.request["PATH_INFO"])
        if name is None or name in pages:
            continue
        html = response.content.decode()
        pages[name] = (url, html)
        parser = _Links()
        parser.feed(html)
        for link in parser.links:
            if SKIP.search(urlsplit(link).path):
                continue
            link_route = route_of(link)
            if (
                link_route is None
                or link_route in queued_routes
                or link_route.split(":")[-1] in DOWNLOAD_ROUTES
            ):
                continue
            queued_routes.add(link_route)
            queue.append(link)
    return pages


# A machine name shown as code: one token of lower-case letters, digits, ``_``, ``-`` and ``.``
# (a file's column such as ``account_no``, a record code such as ``guizhou-residential-annual``).
MACHINE_NAME = re.compile(r"[a-z0-9][a-z0-9_.\-]*")


class _Text(HTMLParser):
    """The text a person sees: no scripts, styles, attribute values or hidden elements. A
    ``<code>`` element holding one machine name (the column a file must contain, a record's code)
    is left out too, as the code of a record is; any other text in ``<code>`` is read as usual."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__()
        self.depth_hidden = 0
        self.parts: list[str] = []
        self.code: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth_hidden += 1
        elif tag == "code" and self.code is None:
            self.code = []

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth_hidden:
            self.depth_hidden -= 1
        elif tag == "code" and self.code is not None:
            text = "".join(self.code).strip()
            if not MACHINE_NAME.fullmatch(text):
                self.parts.append(text)
            self.code = None

    def handle_data(self, data):
        if self.depth_hidden:
            return
        if self.code is not None:
            self.code.append(data)
        else:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


# Latin words allowed on the Chinese UI: units, the names of formats and of the English switch,
# and codes (tokens with digits, underscores or in capitals are codes of records, e.g. XD001-01).
ALLOWED_LATIN = frozenset(
    {
        "kVA",
        "kWh",
        "kW",
        "kV",
        "km",
        "ID",
        "API",
        "Excel",
        "PDF",
        "CSV",
        "Parquet",
        "English",
        "Dyn",
        "Yyn",
        "QR",
    }
)
_TOKEN = re.compile(r"[A-Za-z0-9_]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def latin_words(text: str) -> set[str]:
    """English-looking words and raw codes such as ``in_progress`` (letters, at least one lower
    case) outside the allow-list; tokens with digits or all in capitals are record codes."""
    words = set()
    for token in _TOKEN.findall(text):
        if any(c.isdigit() for c in token) or token in ALLOWED_LATIN or not any(c.islower() for c in token):
            continue
        words.add(token)
    return words


def chinese_runs(text: str) -> set[str]:
    """Runs of Chinese characters (for the English crawl), ignoring the language switch."""
    return {run for run in re.findall(r"[\u3400-\u9fff]+", text) if run != "简体中文"}
