"""Tables out as files: CSV, and Excel workbooks through openpyxl.

What a team lead takes to a spreadsheet (``roadmap team show --format csv|xlsx``, the Team
page's downloads). A file is written whole or not at all: into a temporary file beside it,
then renamed; a folder that does not exist is an error, not created.

Examples
--------
>>> table_bytes(["node", "verified"], [["calculus", 2]], "csv").decode()
'node,verified\\r\\ncalculus,2\\r\\n'
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graph.errors import OutputError

__all__ = ["TABLE_FORMATS", "table_bytes", "write_table"]

TABLE_FORMATS = ("csv", "xlsx")


def table_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, *,
                sheet: str = "table", fills: Mapping[str, str] | None = None) -> bytes:
    """The table as a file's bytes.

    Parameters
    ----------
    header, rows
        Column names, and rows of str, int, float or bool.
    fmt : {"csv", "xlsx"}
        CSV (UTF-8, booleans as yes/no) or an Excel workbook of one sheet (named
        ``sheet``, header bold and frozen, booleans as booleans).
    fills : mapping, optional
        XLSX only: a cell whose text is a key gets that background colour (``#rrggbb``).

    Raises
    ------
    OutputError
        For another format.
    """
    if fmt == "csv":
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(header)
        for row in rows:
            out.writerow(["yes" if v is True else "no" if v is False else v for v in row])
        return buf.getvalue().encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(header, rows, sheet, fills or {})
    raise OutputError(f"unknown table format {fmt!r}: use {' or '.join(TABLE_FORMATS)}")


def write_table(path: str | Path, header: Sequence[str], rows: Sequence[Sequence[Any]],
                fmt: str | None = None, **options: Any) -> Path:
    """Write the table to ``path`` (the format from ``fmt``, else the file's suffix).

    ``options`` go to :func:`table_bytes`.

    Raises
    ------
    OutputError
        When the folder does not exist or cannot be written, or for an unknown format;
        nothing is written.
    """
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in TABLE_FORMATS:
        raise OutputError(f"{path}: unknown table format {fmt!r}: use "
                          f"{' or '.join(TABLE_FORMATS)}")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: the folder {folder} does not exist; nothing was written")
    data = table_bytes(header, rows, fmt, **options)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {folder}: {exc.strerror or exc}; "
                          "nothing was written") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}; nothing was "
                          "written") from None
    return path


def _xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str,
          fills: Mapping[str, str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet[:31]  # Excel's limit
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    paint = {word: PatternFill("solid", start_color=colour.lstrip("#").upper())
             for word, colour in fills.items()}
    for row in rows:
        ws.append(list(row))
        if paint:
            for cell in ws[ws.max_row]:
                fill = paint.get(cell.value) if isinstance(cell.value, str) else None
                if fill is not None:
                    cell.fill = fill
    ws.freeze_panes = "B2"
    for i, name in enumerate(header, 1):
        width = max([len(str(name))] + [len(str(r[i - 1])) for r in rows[:200]])
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 48)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
