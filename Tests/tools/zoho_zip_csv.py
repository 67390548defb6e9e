#!/usr/bin/env python3
"""Reads Zoho backup parts with Python's csv module (a reader we did not write) and prints
what they hold as JSON, for tests to compare with the simulator and the record index:
{"files": {"Data/Leads_001.csv": {"part": "Data_001.zip", "header": [...], "ids": [...],
"rows": {id: [fields]}}}, "attachments": [{"part": ..., "name": ..., "size": n}]}.
With --no-rows, "rows" is left out.
"""
import csv
import io
import json
import os
import sys
import zipfile

csv.field_size_limit(1 << 30)


def main(argv):
    rows_wanted = "--no-rows" not in argv
    result = {"files": {}, "attachments": []}
    for path in [a for a in argv if not a.startswith("--")]:
        part = os.path.basename(path)
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.filename.startswith("Attachments/"):
                    result["attachments"].append({"part": part, "name": info.filename, "size": info.file_size, "crc": info.CRC})
                    continue
                if not info.filename.endswith(".csv"):
                    continue
                with z.open(info) as raw:
                    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                    rows = [r for r in csv.reader(text) if r]
                header, records = (rows[0], rows[1:]) if rows else ([], [])
                entry = {"part": part, "header": header, "ids": [r[0] for r in records]}
                if rows_wanted:
                    entry["rows"] = {r[0]: r for r in records}
                result["files"][info.filename] = entry
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1:])
