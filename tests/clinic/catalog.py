"""The Spanish catalog as tests read it: its entries (from the .po) and a fresh compiled .mo."""

import html
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(line: str) -> str:
    quoted = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group(1)), quoted)


def entries(path: Path = PO_FILE) -> list[Entry]:
    """Every entry but the header, with its flags (`fuzzy`) and its translations."""
    found, current, target = [], Entry(), None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current.msgid:
                found.append(current)
            current, target = Entry(), None
        elif line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            current.msgctxt, target = _unquote(line), "msgctxt"
        elif line.startswith("msgid_plural "):
            current.msgid_plural, target = _unquote(line), "msgid_plural"
        elif line.startswith("msgid "):
            current.msgid, target = _unquote(line), "msgid"
        elif line.startswith("msgstr"):
            current.msgstr.append(_unquote(line))
            target = "msgstr"
        elif line.startswith('"') and target:
            if target == "msgstr":
                current.msgstr[-1] += _unquote(line)
            else:
                setattr(current, target, getattr(current, target) + _unquote(line))
    return found


PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
TAG = re.compile(r"<[^>]+>")


def english_sentences(entry: Entry, *, min_words: int = 3) -> list[str]:
    """The runs of English words in an entry's msgids, as a reader would see them on a page."""
    pieces = []
    for text in filter(None, [entry.msgid, entry.msgid_plural]):
        visible = html.unescape(TAG.sub("", text))
        for piece in PLACEHOLDER.split(visible):
            piece = " ".join(piece.split()).strip(" .,:;·“”")
            if len(piece.split()) >= min_words:
                pieces.append(piece)
    return pieces


def compile_if_stale() -> None:
    """Compile the catalog when the .mo is missing or older than the .po (`make test` does it too)."""
    compiled = PO_FILE.with_suffix(".mo")
    if compiled.exists() and compiled.stat().st_mtime >= PO_FILE.stat().st_mtime:
        return
    if shutil.which("msgfmt") is None:
        raise RuntimeError(
            "msgfmt is missing (apt-get install gettext): the Spanish catalog cannot be compiled"
        )
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO_FILE)], check=True)


# Fixtures for the conftest of each test folder that requests Spanish pages (imported there).


@pytest.fixture(scope="session", autouse=True)
def spanish_catalog():
    compile_if_stale()


@pytest.fixture(autouse=True)
def english_after_each_test():
    # A request to a Spanish page leaves Spanish active in the thread that served it (the test's):
    # the next test, and code run outside a request, start from English again.
    yield
    translation.activate(settings.LANGUAGE_CODE)
