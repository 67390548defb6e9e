#!/usr/bin/env python3
"""Validate the simulator's answers against Zoho's own OpenAPI file (backup.json).

Starts `zoho-crm-backup simulator`, walks it through every backup operation and every
documented error it can produce, and validates each JSON answer whose status and code
backup.json describes against the response schema there (OpenAPI 3.0 aware validation,
`nullable` included). Answers backup.json does not describe (204s, LIMIT_EXCEEDED, 401,
500) are checked against the error table of the project's API notes instead.

Where Zoho's public pages and backup.json disagree, both are accepted, and the relaxations
are listed in RELAXED below with their source.

Prints one line per check and ends with 'N passed, N failed'; exits 1 on any failure.
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

HERE = os.path.dirname(os.path.abspath(__file__))
COMMON_URL = "https://raw.githubusercontent.com/Zohocorp-Pvt-Ltd/crm-oas/refs/heads/main/v8.0/common.json"

# The public pages say these may be null; backup.json marks them required and not nullable.
# (API notes: "scheduled_date and start_date are null when no rrule was given"; "The OAS
# marks action as not nullable, despite the doc. Accept null.")
RELAXED = [
    ("backup", "start_date"),
    ("backup", "scheduled_date"),
    ("history", "action"),
]


def load_spec():
    with open(os.path.join(HERE, "zoho-oas", "backup.json")) as f:
        spec = json.load(f)
    with open(os.path.join(HERE, "zoho-oas", "common.json")) as f:
        common = json.load(f)
    for schema, prop in RELAXED:
        spec["components"]["schemas"][schema]["properties"][prop]["nullable"] = True
    registry = Registry().with_resources([
        ("urn:zoho:backup", Resource.from_contents(spec, default_specification=DRAFT4)),
        (COMMON_URL, Resource.from_contents(common, default_specification=DRAFT4)),
    ])
    return spec, registry


def response_schema(spec, method, path, status):
    op = spec["paths"][path][method]
    response = op["responses"].get(str(status))
    if response is None:
        return None
    ref = response.get("$ref")
    if ref:
        name = ref.split("/")[-1]
        response = spec["components"]["responses"][name]
        pointer = f"urn:zoho:backup#/components/responses/{name}/content/application~1json/schema"
    else:
        return None
    if "content" not in response:
        return "no-content"
    return {"$ref": pointer}


class Simulator:
    def __init__(self, binary):
        self.process = subprocess.Popen([binary, "simulator", "--port", "0", "--job-duration", "1s", "--seed", "7"],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        text = ""
        while '"refresh_token"' not in text:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit("the simulator did not start")
            text += line
        self.base = re.search(r"http://127\.0\.0\.1:\d+", text).group(0)
        self.credentials = json.loads([l for l in text.splitlines() if l.startswith("{")][-1])
        self.token = None

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def request(self, method, path, body=None, token=True, raw=False):
        headers = {}
        if token:
            headers["Authorization"] = "Zoho-oauthtoken " + self.token
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else body
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, payload, hdrs = resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as e:
            status, payload, hdrs = e.code, e.read(), dict(e.headers)
        if raw:
            return status, payload, hdrs
        return status, (json.loads(payload) if payload else None), hdrs

    def login(self):
        form = urllib.parse.urlencode({"grant_type": "refresh_token", **self.credentials}).encode()
        req = urllib.request.Request(self.base + "/oauth/v2/token", data=form, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            answer = json.loads(resp.read())
        self.token = answer["access_token"]
        return answer


def main():
    binary = sys.argv[1]
    spec, registry = load_spec()
    sim = Simulator(binary)
    passed, failed = 0, 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}: {detail}")

    def validate(name, method, oas_path, status, body, code=None):
        schema = response_schema(spec, method, oas_path, status)
        if schema is None:
            check(name, False, f"backup.json describes no {status} for {method.upper()} {oas_path}")
            return
        if schema == "no-content":
            check(name, body is None, f"expected no body, got {body!r}")
            return
        try:
            OAS30Validator(schema, registry=registry).validate(body)
        except Exception as e:  # the validator's message says which key and why
            check(name, False, str(e).splitlines()[0])
            return
        got = (body.get("backup") or {}).get("code") if isinstance(body.get("backup"), dict) and "code" in body["backup"] else body.get("code")
        check(name, code is None or got == code, f"code {got}, expected {code}")

    # The validator itself: a backup without its id, or with a numeric id, must not pass.
    schema = response_schema(spec, "get", "/crm/bulk/v8/backup", 200)
    for broken in ({"backup": {"rrule": None, "start_date": None, "scheduled_date": None, "status": "SCHEDULED",
                               "requester": {"id": "1", "name": "a", "zuid": "2"}}},
                   {"backup": {"id": 5, "rrule": None, "start_date": None, "scheduled_date": None, "status": "SCHEDULED",
                               "requester": {"id": "1", "name": "a", "zuid": "2"}}}):
        try:
            OAS30Validator(schema, registry=registry).validate(broken)
            check("the validator refuses a malformed backup", False, "it accepted one")
        except Exception:
            check("the validator refuses a malformed backup", True)

    try:
        token = sim.login()
        check("token answer has access_token, api_domain, expires_in",
              {"access_token", "api_domain", "expires_in", "token_type"} <= set(token))
        base = "/crm/bulk/v8/backup"
        status, body, _ = sim.request("GET", base)
        check("GET /backup with nothing scheduled: 204 (documented in the pages, not in backup.json)", status == 204 and body is None)
        status, body, _ = sim.request("GET", base + "/urls")
        validate("GET /backup/urls before any backup: 204", "get", "/crm/bulk/v8/backup/urls", status, body)
        status, body, _ = sim.request("GET", base + "/history")
        check("GET /backup/history when empty: 204", status == 204)

        status, body, _ = sim.request("POST", base, json.dumps({"backup": {"rrule": "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"}}))
        validate("POST /backup with an rrule: SUCCESS", "post", base, status, body, "SUCCESS")
        schedule_id = body["backup"]["details"]["id"]
        status, body, _ = sim.request("GET", base)
        validate("GET /backup: the schedule", "get", base, status, body)
        status, body, _ = sim.request("POST", base, "")
        validate("POST /backup while scheduled: nested BACKUP_ALREADY_SCHEDULED", "post", base, status, body, "BACKUP_ALREADY_SCHEDULED")
        status, body, _ = sim.request("POST", base, json.dumps({"backup": {"rrule": "RRULE:FREQ=DAILY;COUNT=3"}}))
        validate("POST /backup with a bad rrule: nested INVALID_DATA", "post", base, status, body, "INVALID_DATA")
        status, body, _ = sim.request("POST", base, "{not json")
        validate("POST /backup with an unreadable body: REQUEST_BODY_NOT_READABLE", "post", base, status, body, "REQUEST_BODY_NOT_READABLE")
        cancel = "/crm/bulk/v8/backup/{id}/actions/cancel"
        status, body, _ = sim.request("PUT", f"{base}/{schedule_id}/actions/cancel")
        validate("PUT cancel: SUCCESS", "put", cancel, status, body, "SUCCESS")
        status, body, _ = sim.request("PUT", f"{base}/{schedule_id}/actions/cancel")
        validate("PUT cancel again: nested ALREADY_CANCELLED", "put", cancel, status, body, "ALREADY_CANCELLED")
        status, body, _ = sim.request("PUT", f"{base}/1234/actions/cancel")
        validate("PUT cancel of an unknown id: top-level RESOURCE_NOT_FOUND", "put", cancel, status, body, "RESOURCE_NOT_FOUND")
        status, body, _ = sim.request("GET", base)
        validate("GET /backup after cancel: STOPPED", "get", base, status, body)

        status, body, _ = sim.request("POST", base, "")
        validate("POST /backup with no body (immediate): SUCCESS", "post", base, status, body, "SUCCESS")
        job_id = body["backup"]["details"]["id"]
        status, body, _ = sim.request("GET", base)
        validate("GET /backup while the immediate backup runs (null dates, per the pages)", "get", base, status, body)
        status, body, _ = sim.request("PUT", f"{base}/{job_id}/actions/cancel")
        validate("PUT cancel while in progress: nested INPROGRESS", "put", cancel, status, body, "INPROGRESS")
        time.sleep(1.3)  # the simulator's --job-duration is 1s, on its real clock
        status, body, _ = sim.request("GET", base + "/urls")
        validate("GET /backup/urls after completion", "get", "/crm/bulk/v8/backup/urls", status, body)
        links = body["urls"]["data_links"] + body["urls"]["attachment_links"]
        status, body, _ = sim.request("GET", base + "/history?page=1&per_page=2")
        validate("GET /backup/history, paged", "get", "/crm/bulk/v8/backup/history", status, body)
        check("history pages say there is more", body["info"]["more_records"] is True and body["info"]["per_page"] == 2)

        path = urllib.parse.urlparse(links[0]).path
        status, payload, headers = sim.request("GET", path, raw=True)
        check("download: 200 with a zip and Content-Disposition naming the file",
              status == 200 and payload[:4] == b"PK\x03\x04" and os.path.basename(path) in headers.get("Content-Disposition", ""))

        # Outside backup.json: the notes' error table.
        for _ in range(3):
            sim.request("POST", base, "")
            time.sleep(1.1)
        status, body, _ = sim.request("POST", base, "")
        check("LIMIT_EXCEEDED (notes: HTTP 400, nested like the other schedule errors)",
              status == 400 and body["backup"]["code"] == "LIMIT_EXCEEDED" and body["backup"]["status"] == "error")
        sim.token = "1000.expired.token"
        status, body, _ = sim.request("GET", base)
        check("unknown token: 401 top-level INVALID_TOKEN", status == 401 and body == {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"})
        status, body, _ = sim.request("GET", base, token=False)
        check("no token: 401 AUTHENTICATION_FAILURE", status == 401 and body["code"] == "AUTHENTICATION_FAILURE")
    finally:
        sim.close()
    print(f"oas: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
