#!/usr/bin/env python3
"""Reads a restored SQLite database (Python's sqlite3) or workbook (openpyxl) — readers we did
not write — and prints its tables as JSON: {"tables": {name: {"header": [...], "rows": [[...]]}}}.
Values as text: NULL/empty cell "", an integer as its digits, a real as Python's str().
Usage: read_tables.py sqlite|xlsx PATH
"""
import json
import re
import sqlite3
import sys

# ECMA-376's escape for characters XML cannot carry as they are (a CR, say): `_x000D_`. Excel
# decodes it; openpyxl leaves it in inline strings, so this reader decodes it as Excel does.
XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def read_sqlite(path):
    db = sqlite3.connect(path)
    tables = {}
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    for name in names:
        cursor = db.execute('SELECT * FROM "%s" ORDER BY rowid' % name.replace('"', '""'))
        header = [d[0] for d in cursor.description]
        info = db.execute('PRAGMA table_info("%s")' % name.replace('"', '""')).fetchall()
        rows = list(cursor)
        tables[name] = {"header": header, "rows": [[text(v) for v in row] for row in rows],
                        "nulls": sum(1 for row in rows for v in row if v is None),
                        "primary_key": [c[1] for c in info if c[5]],
                        "types": sorted({t for (t,) in db.execute('SELECT DISTINCT typeof("%s") FROM "%s"' % (header[0].replace('"', '""'), name.replace('"', '""')))}) if header else []}
    return tables


def read_xlsx(path):
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True)
    tables = {}
    for sheet in book.worksheets:
        rows = [[XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
        tables[sheet.title] = {"header": rows[0] if rows else [], "rows": rows[1:]}
    return tables


def main(kind, path):
    tables = read_sqlite(path) if kind == "sqlite" else read_xlsx(path)
    json.dump({"tables": tables, "order": list(tables)}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
