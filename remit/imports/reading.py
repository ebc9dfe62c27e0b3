"""Reading another system's file a row at a time: CSV in any of the encodings and separators
exports use, and Excel workbooks. Nothing here holds the whole file; a million-row export is
read in constant memory, as many times as the pipeline needs (check, then post).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .formats import FormatProblem

SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1")
SAMPLE_BYTES = 256 * 1024
CHUNK = 1024 * 1024
csv.field_size_limit(1024 * 1024)  # a 1 MB cell is a broken file, not a long description


class FileProblem(FormatProblem):
    """The file as a whole cannot be read (not a table, empty, no header)."""


@dataclass(frozen=True)
class Layout:
    """How a file is written, as detected or as the user said."""

    kind: str            # 'csv' or 'xlsx'
    encoding: str = ""   # csv: the codec that reads every byte
    separator: str = ""  # csv
    sheet: str = ""      # xlsx: the worksheet read

    def describe(self) -> list[str]:
        if self.kind == "xlsx":
            return [f"Excel workbook, sheet {self.sheet!r}"]
        return [f"CSV, {SEPARATORS.get(self.separator, repr(self.separator))}-separated, "
                f"{self.encoding}"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_xlsx(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as z:
        return "xl/workbook.xml" in z.namelist()


def _encoding(path: Path) -> str:
    """UTF-16 and UTF-8 by their byte-order mark; else UTF-8 if every byte reads as UTF-8
    (checked over the whole file, a chunk at a time), else Windows-1252 (what Nordic Windows
    exports write), else Latin-1, which reads any byte."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for candidate in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(candidate)()
        try:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(CHUNK), b""):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return candidate
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _separator(sample: str) -> str:
    """The separator that splits the first lines into the same number (more than one) of
    columns; ties go to the one giving more columns."""
    lines = sample.splitlines()[:50]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may end inside a line
    best, best_score = ",", (-1, 0)
    for sep in SEPARATORS:
        try:
            rows = [r for r in csv.reader(lines, delimiter=sep) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(1 for r in rows if len(r) == width), width)
        if score > best_score:
            best, best_score = sep, score
    return best


def detect(path: Path, *, encoding: str = "", separator: str = "", sheet: str = "") -> Layout:
    if not path.is_file() or path.stat().st_size == 0:
        raise FileProblem("the file is empty")
    if is_xlsx(path):
        return Layout("xlsx", sheet=_sheet_name(path, sheet))
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise FileProblem(f"{encoding!r} is not an encoding (try utf-8 or cp1252)") from None
    encoding = encoding or _encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        sample = f.read(SAMPLE_BYTES)
    if "\x00" in sample:
        raise FileProblem("this is not a text file or an Excel workbook (.xlsx)")
    if not sample.strip():
        raise FileProblem("the file is empty")
    if separator:
        separator = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ","}.get(separator,
                                                                                     separator)
        if len(separator) != 1:
            raise FileProblem(f"{separator!r}: the separator is one character")
    return Layout("csv", encoding=encoding, separator=separator or _separator(sample))


def _sheet_name(path: Path, wanted: str) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        names = book.sheetnames
    finally:
        book.close()
    if wanted:
        if wanted not in names:
            raise FileProblem(f"the workbook has no sheet {wanted!r} (it has "
                              f"{', '.join(names)})")
        return wanted
    return names[0]


class Table:
    """The header and the data rows of a file, with the line (or Excel row) each starts on.
    Cells are text for CSV; for Excel they are what the cell holds (text, number, date)."""

    def __init__(self, path: Path, layout: Layout):
        self.path, self.layout = Path(path), layout

    def _records(self) -> Iterator[tuple[int, list]]:
        if self.layout.kind == "xlsx":
            yield from self._xlsx()
            return
        with open(self.path, encoding=self.layout.encoding, newline="") as f:
            reader = csv.reader(f, delimiter=self.layout.separator)
            start = 1
            try:
                for record in reader:
                    yield start, record
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise FileProblem(f"line {start}: {exc}") from None

    def _xlsx(self) -> Iterator[tuple[int, list]]:
        from openpyxl import load_workbook

        book = load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet = book[self.layout.sheet]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, ["" if v is None else v for v in values]
        finally:
            book.close()

    def rows(self) -> Iterator[tuple[int, list[str], list]]:
        """(line, header, cells) for every non-empty data row after the header."""
        header = None
        for line, cells in self._records():
            if not any(_filled(c) for c in cells):
                continue
            if header is None:
                header = _header(cells, line)
                continue
            if len(cells) < len(header):
                cells = list(cells) + [""] * (len(header) - len(cells))
            yield line, header, cells

    def header(self) -> list[str]:
        for line, cells in self._records():
            if any(_filled(c) for c in cells):
                return _header(cells, line)
        raise FileProblem("the file has no header row")

    def sample(self, n: int = 20) -> list[tuple[int, list]]:
        out = []
        for line, _, cells in self.rows():
            out.append((line, cells))
            if len(out) >= n:
                break
        return out


def _filled(cell) -> bool:
    return cell not in ("", None) and not (isinstance(cell, str) and not cell.strip())


def _header(cells: list, line: int) -> list[str]:
    names = [str(c).strip().lstrip("\ufeff") for c in cells]
    while names and not names[-1]:
        names.pop()
    seen = set()
    for i, name in enumerate(names):
        if not name:
            raise FileProblem(f"line {line}: column {i + 1} of the header has no name")
        if name in seen:
            raise FileProblem(f"line {line}: two columns are called {name!r}")
        seen.add(name)
    return names


def table_from_bytes(content: bytes, folder: Path, name: str = "upload") -> Path:
    """Keep uploaded bytes as a file the pipeline can read again (named by their digest, so
    the same upload twice is one file)."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(content).hexdigest()
    suffix = ".xlsx" if content[:2] == b"PK" else ".csv"
    path = folder / f"{digest}{suffix}"
    if not path.exists():
        tmp = path.with_suffix(path.suffix + ".part")
        with open(tmp, "wb") as f:
            f.write(content)
        tmp.replace(path)
    return path


def store_stream(chunks, folder: Path) -> Path:
    """The same for an upload read in chunks (never held whole)."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    tmp = folder / f"upload-{id(chunks)}.part"
    first = b""
    with open(tmp, "wb") as f:
        for chunk in chunks:
            if not first:
                first = chunk[:2]
            digest.update(chunk)
            f.write(chunk)
    path = folder / f"{digest.hexdigest()}{'.xlsx' if first == b'PK' else '.csv'}"
    tmp.replace(path)
    return path

