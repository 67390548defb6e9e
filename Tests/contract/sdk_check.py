#!/usr/bin/env python3
"""Check that a client we did not write agrees with the simulator: Zoho's own Python SDK.

Drives Zoho's official Python SDK for API v7 (PyPI `zohocrmsdk7-0==6.0.0`) against
`zoho-crm-backup simulator`: SDK start-up (token refresh, the SDK's CurrentUser lookup),
then every BackupOperations call. Each answer must decode into the type the SDK expects
(ResponseWrapper, ActionWrapper holding a SuccessResponse or an APIException, UrlsWrapper,
HistoryWrapper, FileBodyWrapper) with the expected code, and the JSON must fit the SDK's
own model of it (src/json_details.json in the SDK: known keys only, the declared types,
enumerated codes), because the SDK's decoder silently drops what it does not understand.

Only 127.0.0.1 is reachable from this script: any attempt by the SDK to resolve another host
(for instance a real Zoho data centre) is refused and reported.

Usage: python sdk_check.py PATH_TO_zoho-crm-backup_BINARY
Prints one line per check and ends with 'sdk: N passed, N failed'; exits 1 on any failure.
"""
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

DEADLINE_SECONDS = 45  # the whole run; the simulator is killed after this, which fails what is pending
JOB_WAIT_SECONDS = 1.3  # the simulator runs with --job-duration 1s
JOB_WAIT_LIMIT = 6.0  # get_urls is asked again (204: not finished yet) until this long after the request
RRULE = "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"

# --- only loopback -----------------------------------------------------------------------

for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

REFUSED_HOSTS = []
_real_getaddrinfo = socket.getaddrinfo


def _loopback_only(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in ("127.0.0.1", "localhost"):
        REFUSED_HOSTS.append(name)
        raise socket.gaierror(socket.EAI_NONAME, f"sdk_check allows only 127.0.0.1; refused to resolve {name}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_only

# --- the SDK -----------------------------------------------------------------------------

try:
    import requests
    from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
    from zohocrmsdk.src.com.zoho.api.authenticator.store import FileStore
    from zohocrmsdk.src.com.zoho.api.logger import Logger
    from zohocrmsdk.src.com.zoho.crm.api.backup import (APIException, ActionWrapper, Backup, BackupOperations,
                                                        BodyWrapper, FileBodyWrapper, HistoryWrapper, HISTORYParam,
                                                        ResponseWrapper, SuccessResponse, UrlsWrapper)
    from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
    from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
    from zohocrmsdk.src.com.zoho.crm.api.parameter_map import ParameterMap
    from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
    from zohocrmsdk.src.com.zoho.crm.api.util.choice import Choice
    from zohocrmsdk.src.com.zoho.crm.api.util.stream_wrapper import StreamWrapper
    import dateutil.parser
except ImportError as e:
    raise SystemExit(f"sdk_check needs zohocrmsdk7-0==6.0.0 installed: {e}")

SDK_PACKAGE = "zohocrmsdk.src.com.zoho.crm.api.backup."
CHOICE = "zohocrmsdk.src.com.zoho.crm.api.util.Choice"


class SDKLog(logging.Handler):
    """Keeps the SDK's log records: the SDK logs, and then hides, some of its own exceptions."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:  # the SDK logs some errors as logger.error(CONSTANT, exception)
            text = f"{record.msg} {' '.join(str(a) for a in record.args or ())}"
        self.lines.append(f"{record.levelname} {record.filename}:{record.lineno} {text}")


class Exchanges:
    """Records what went over the wire (observation only), for the failure reasons."""

    def __init__(self):
        self.log = []
        original = requests.sessions.Session.send
        exchanges = self

        def send(session, request, **kwargs):
            entry = {"method": request.method, "url": request.url, "body": request.body}
            exchanges.log.append(entry)
            response = original(session, request, **kwargs)
            entry["status"] = response.status_code
            entry["headers"] = dict(response.headers)
            entry["content"] = response.content
            return response

        requests.sessions.Session.send = send

    def since(self, mark):
        return self.log[mark:]


def describe(entry):
    body = entry.get("content", b"")
    shown = body[:160].decode("utf-8", "replace") if body and not body.startswith(b"PK") else f"{len(body or b'')} bytes"
    return f"{entry['method']} {entry['url']} -> {entry.get('status', 'no answer')} {shown}".rstrip()


# --- the SDK's model of the JSON (json_details.json) -------------------------------------

def shape_problems(value, type_name, detail, where):
    """What in `value` does not fit the SDK's declared type; [] when all of it does."""
    if value is None:
        return []  # the SDK skips nulls (util/json_converter.py:493)
    if type_name == CHOICE:
        allowed = detail.get("values") if detail else None
        return [] if not allowed or value in allowed else [f"{where}: {value!r} is not one of the SDK's values {allowed}"]
    if type_name == "String":
        return [] if isinstance(value, str) else [f"{where}: {value!r} is not a string"]
    if type_name == "Long":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.isdigit())
        return [] if ok else [f"{where}: {value!r} is not a long (number or digit string)"]
    if type_name == "Integer":
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{where}: {value!r} is not an integer"]
    if type_name == "Boolean":
        return [] if isinstance(value, bool) else [f"{where}: {value!r} is not a boolean"]
    if type_name == "DateTime":
        try:
            dateutil.parser.isoparse(value)  # what the SDK does (util/datatype_converter.py:39)
            return []
        except Exception:
            return [f"{where}: {value!r} is not an ISO 8601 date-time"]
    if type_name == "List":
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list"]
        item_type = detail.get("structure_name") or detail.get("sub_type", {}).get("type", "Object")
        problems = []
        for i, item in enumerate(value):
            problems += shape_problems(item, item_type, None, f"{where}[{i}]")
        return problems
    if type_name == "Map":
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        keys = {k["name"]: k for k in (detail or {}).get("keys", [])}
        if not keys:
            return []
        problems = [f"{where}.{k}: a key the SDK does not know (it drops it)" for k in value if k not in keys]
        for k, key_detail in keys.items():
            problems += shape_problems(value.get(k), key_detail["type"], key_detail, f"{where}.{k}")
        return problems
    if type_name.startswith("zohocrmsdk."):
        return class_problems(value, type_name, where)
    return []


def class_problems(value, class_name, where):
    if not isinstance(value, dict):
        return [f"{where}: {value!r} is not an object"]
    details = Initializer.json_details[class_name]
    if details.get("interface"):
        # an interface (e.g. ActionResponse = SuccessResponse | APIException): the best fitting class
        candidates = [class_problems(value, c, where) for c in details["classes"]]
        return min(candidates, key=len)
    members = {d["name"]: d for d in details.values()}
    problems = [f"{where}.{k}: a key the SDK's {class_name.rsplit('.', 1)[-1]} does not know (it drops it)"
                for k in value if k not in members]
    for k, d in members.items():
        problems += shape_problems(value.get(k), d["type"], d, f"{where}.{k}")
    return problems


# --- the simulator -----------------------------------------------------------------------

class Simulator:
    def __init__(self, binary):
        try:
            self.process = subprocess.Popen([binary, "simulator", "--port", "0", "--job-duration", "1s", "--seed", "7"],
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        except OSError as e:
            raise SystemExit(f"cannot start the simulator: {e}")
        text = ""
        give_up = threading.Timer(20, self.process.kill)  # a simulator that never prints its banner
        give_up.start()
        try:
            while '"refresh_token"' not in text:
                line = self.process.stdout.readline()
                if not line:
                    self.close()
                    raise SystemExit("the simulator did not start")
                text += line
        finally:
            give_up.cancel()
        self.base = re.search(r"http://127\.0\.0\.1:\d+", text).group(0)
        self.credentials = json.loads([l for l in text.splitlines() if l.startswith("{")][-1])

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def raw_immediate_backup(base, access_token):
    request = urllib.request.Request(base + "/crm/bulk/v7/backup", data=b"", method="POST",
                                     headers={"Authorization": "Zoho-oauthtoken " + access_token})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return f"HTTP {answer.status} {answer.read()[:120].decode('utf-8', 'replace')}"
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code} {e.read()[:120].decode('utf-8', 'replace')}"
    except Exception as e:
        return f"{type(e).__name__}: {e}"


# --- the checks --------------------------------------------------------------------------

def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: sdk_check.py PATH_TO_zoho-crm-backup_BINARY")
    binary = sys.argv[1]
    sim = Simulator(binary)
    watchdog = threading.Timer(DEADLINE_SECONDS, sim.close)
    watchdog.daemon = True
    watchdog.start()
    workdir = tempfile.mkdtemp(prefix="sdk_check.")
    passed, failed = 0, 0

    def check(name, problems):
        nonlocal passed, failed
        if not problems:
            passed += 1
            print(f"ok   {name}", flush=True)
        else:
            failed += 1
            print(f"FAIL {name}: {'; '.join(problems)}", flush=True)

    try:
        run(sim, workdir, check)
    finally:
        watchdog.cancel()
        sim.close()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"sdk: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def run(sim, workdir, check):
    base = sim.base
    sdk_log = SDKLog()
    logging.raiseExceptions = False
    wire = Exchanges()
    ops = BackupOperations()

    def initialise(store_name, sdk_config, api_domain=None):
        sdk_logger = logging.getLogger("SDKLogger")
        Initializer.initialize(
            environment=DataCenter.Environment(base, base + "/oauth/v2/token", base),
            token=OAuthToken(client_id=sim.credentials["client_id"], client_secret=sim.credentials["client_secret"],
                             refresh_token=sim.credentials["refresh_token"], api_domain=api_domain),
            store=FileStore(os.path.join(workdir, store_name)),
            sdk_config=sdk_config,
            resource_path=workdir,
            logger=Logger.get_instance(level=Logger.Levels.INFO, file_path=None))
        if sdk_log not in sdk_logger.handlers:
            sdk_logger.addHandler(sdk_log)
        sdk_logger.propagate = False

    def call(operation, *args):
        """(APIResponse or None, problems, wire log of the call)"""
        mark, log_mark = len(wire.log), len(sdk_log.lines)
        try:
            response = operation(*args)
        except Exception as e:
            return None, [f"the SDK raised {type(e).__name__}: {e}"] + [describe(x) for x in wire.since(mark)], []
        exchanges = wire.since(mark)
        if response is None:
            hidden = [l for l in sdk_log.lines[log_mark:] if "Exception" in l or "ERROR" in l]
            return None, ["the SDK returned no APIResponse (it hid an exception)"] + hidden[-2:] + \
                [describe(x) for x in exchanges], exchanges
        return response, [], exchanges

    def decoded(response, exchanges, wrapper, wrapper_name):
        """problems with the top-level decoding and with the JSON's fit to the SDK's model"""
        obj = response.get_object()
        problems = []
        if not isinstance(obj, wrapper):
            got = type(obj).__name__ if obj is not None else "nothing"
            if isinstance(obj, APIException):
                got += f" {obj.get_code().get_value() if obj.get_code() else None}"
            problems.append(f"decoded as {got}, expected {wrapper_name}")
            problems += [describe(x) for x in exchanges[-1:]]
            return obj, problems
        body = response.get_response_json()
        if body is not None:
            problems += class_problems(body, SDK_PACKAGE + wrapper_name, "body")
        return obj, problems

    def action(response, exchanges, expected_class, expected_code):
        obj, problems = decoded(response, exchanges, ActionWrapper, "ActionWrapper")
        if problems:
            return None, problems
        inner = obj.get_backup()
        if not isinstance(inner, expected_class):
            code = inner.get_code().get_value() if inner is not None and inner.get_code() else None
            return None, [f"backup decoded as {type(inner).__name__} ({code}), expected {expected_class.__name__}"]
        code = inner.get_code().get_value() if isinstance(inner.get_code(), Choice) else inner.get_code()
        if code != expected_code:
            return None, [f"code {code!r}, expected {expected_code!r} (HTTP {response.get_status_code()})"]
        details = inner.get_details() or {}
        if not isinstance(details.get("id"), int):
            return None, [f"details.id decoded as {details.get('id')!r}, expected a long"]
        return inner, []

    # 1. start-up with the SDK's defaults: token refresh, then the SDK's own GET /crm/v7/users?type=CurrentUser,
    # then one API call. It runs in a thread of its own: the SDK keeps its initializer per thread
    # (initializer.py:66, :148), and this thread's may end up pointing somewhere else.
    mark = len(wire.log)
    probe = {"problems": []}

    def start_up():
        try:
            initialise("tokens-defaults.csv", SDKConfig(connect_timeout=5.0, read_timeout=10.0))
        except Exception as e:
            probe["problems"].append(f"Initializer.initialize raised {type(e).__name__}: {e}")
            return
        # The SDK computes a call's URL before it re-reads the token (util/common_api_handler.py:210, then
        # :229), so this call still goes to the simulator, and the next would go wherever api_domain said.
        _, call_problems, _ = call(ops.get_details)
        probe["problems"] += call_problems
        probe["environment"] = Initializer.get_initializer().environment.url

    thread = threading.Thread(target=start_up)
    thread.start()
    thread.join()
    problems = probe["problems"]
    token_calls = [x for x in wire.since(mark) if x["url"].startswith(base + "/oauth/v2/token")]
    if not token_calls or token_calls[0].get("status") != 200:
        problems.append("no successful POST /oauth/v2/token: " + "; ".join(describe(x) for x in wire.since(mark)))
    api_domain = json.loads(token_calls[0]["content"]).get("api_domain") if token_calls else None
    moved = probe.get("environment") not in (None, base)
    if moved:
        problems.append(
            f"the token answer's api_domain {api_domain!r} moved the SDK's API base URL from {base} to "
            f"{probe['environment']} (SDKConfig update_api_domain defaults to True: "
            f"zohocrmsdk/src/com/zoho/api/authenticator/oauth_token.py:455-456 keeps api_domain, :322-326 then "
            f"switches to DataCenter.get(api_domain)); the other checks run with update_api_domain=False")
    user_lookup = [x for x in wire.since(mark) if "/crm/v7/users" in x["url"]]
    lookup = str(user_lookup[0].get("status", "no answer")) if user_lookup else "not made"
    check(f"SDK start-up: token refresh, CurrentUser lookup ({lookup}) tolerated, API calls stay on the simulator",
          problems)

    # The SDK client for the other checks: its defaults, unless they would take it off the simulator.
    try:
        if moved:
            initialise("tokens.csv", SDKConfig(connect_timeout=5.0, read_timeout=10.0, update_api_domain=False),
                       api_domain=base)
        else:
            initialise("tokens.csv", SDKConfig(connect_timeout=5.0, read_timeout=10.0))
    except Exception as e:
        check("SDK initialisation for the backup checks", [f"Initializer.initialize raised {type(e).__name__}: {e}"])
        return
    state = {}

    # 2. schedule a recurring backup
    body = BodyWrapper()
    backup = Backup()
    backup.set_rrule(RRULE)
    body.set_backup(backup)
    response, problems, exchanges = call(ops.schedule, body)
    if response is not None:
        inner, problems = action(response, exchanges, SuccessResponse, "SUCCESS")
        if inner is not None:
            state["schedule_id"] = inner.get_details()["id"]
    check("schedule(rrule) -> ActionWrapper/SuccessResponse SUCCESS", problems)

    # 3. details of that schedule
    response, problems, exchanges = call(ops.get_details)
    if response is not None:
        obj, problems = decoded(response, exchanges, ResponseWrapper, "ResponseWrapper")
        if not problems:
            b = obj.get_backup()
            if not isinstance(b, Backup):
                problems.append(f"backup decoded as {type(b).__name__}")
            else:
                if b.get_id() != state.get("schedule_id"):
                    problems.append(f"backup.id {b.get_id()!r}, expected {state.get('schedule_id')!r}")
                if b.get_rrule() != RRULE:
                    problems.append(f"backup.rrule {b.get_rrule()!r}, expected {RRULE!r}")
                if b.get_status() != "SCHEDULED":
                    problems.append(f"backup.status {b.get_status()!r}, expected 'SCHEDULED'")
                if b.get_requester() is None or not isinstance(b.get_requester().get_id(), int):
                    problems.append("backup.requester.id did not decode to a long")
    check("get_details -> ResponseWrapper with the scheduled Backup", problems)

    # 4. schedule again: the nested error
    response, problems, exchanges = call(ops.schedule, body)
    if response is not None:
        _, problems = action(response, exchanges, APIException, "BACKUP_ALREADY_SCHEDULED")
    check("schedule(rrule) again -> ActionWrapper/APIException BACKUP_ALREADY_SCHEDULED", problems)

    # 5./6. cancel the schedule, twice
    schedule_id = state.get("schedule_id")
    for expected_class, code, name in ((SuccessResponse, "SUCCESS", "cancel -> ActionWrapper/SuccessResponse SUCCESS"),
                                       (APIException, "ALREADY_CANCELLED",
                                        "cancel again -> ActionWrapper/APIException ALREADY_CANCELLED")):
        if schedule_id is None:
            check(name, ["no schedule id (schedule failed)"])
            continue
        response, problems, exchanges = call(ops.cancel, schedule_id)
        if response is not None:
            _, problems = action(response, exchanges, expected_class, code)
        check(name, problems)

    # 7. an immediate backup. Zoho's pages say "leave the input body empty", which the SDK cannot do: it always
    # forms a JSON body for a POST (util/common_api_handler.py:240-254; schedule(None) fails there). What its model
    # can say is {}, {"backup": {}} or {"backup": {"rrule": null}}; the last is the one backup.json describes (body
    # required, backup required, rrule nullable).
    immediate = BodyWrapper()
    no_rule = Backup()
    no_rule.set_rrule(None)
    immediate.set_backup(no_rule)
    response, problems, exchanges = call(ops.schedule, immediate)
    if response is not None:
        _, problems = action(response, exchanges, SuccessResponse, "SUCCESS")
    if problems:
        sent = [x.get("body") for x in exchanges if x["method"] == "POST"]
        if sent:
            problems.append(f"the SDK sent {sent[-1]!r}")
        # Not a work-around: this check stays failed. The backup is requested over plain HTTP with an empty body
        # only so that the checks of get_urls, history and download can still run.
        problems.append("started the immediate backup over plain HTTP with an empty body instead: "
                        + raw_immediate_backup(base, Initializer.get_initializer().token.get_access_token()))
    check("schedule(Backup with rrule null) (immediate) -> ActionWrapper/SuccessResponse SUCCESS", problems)
    requested = time.monotonic()
    time.sleep(JOB_WAIT_SECONDS)

    # 8. the links of the finished backup (204 until the job is done; a busy machine may need longer)
    response, problems, exchanges = call(ops.get_urls)
    while response is not None and response.get_status_code() == 204 and \
            time.monotonic() - requested < JOB_WAIT_LIMIT:
        time.sleep(0.25)
        response, problems, exchanges = call(ops.get_urls)
    if response is not None:
        obj, problems = decoded(response, exchanges, UrlsWrapper, "UrlsWrapper")
        if not problems:
            urls = obj.get_urls()
            links = (urls.get_data_links() or []) if urls is not None else []
            if not links or not all(isinstance(l, str) and l.startswith(base + "/") for l in links):
                problems.append(f"data_links {links!r}, expected links on {base}")
            elif urls.get_expiry_date() is None:
                problems.append("expiry_date did not decode")
            else:
                state["link"] = links[0]
    check("get_urls -> UrlsWrapper with data_links", problems)

    # 9. history
    params = ParameterMap()
    params.add(HISTORYParam.page, "1")  # the SDK types both as strings (json_details.json HISTORYParam)
    params.add(HISTORYParam.per_page, "10")
    response, problems, exchanges = call(ops.history, params)
    if response is not None:
        obj, problems = decoded(response, exchanges, HistoryWrapper, "HistoryWrapper")
        if not problems:
            entries, info = obj.get_history() or [], obj.get_info()
            if not entries or not all(isinstance(h.get_id(), int) for h in entries):
                problems.append(f"history decoded as {entries!r}")
            if info is None or info.get_page() != 1 or info.get_per_page() != 10 or \
                    not isinstance(info.get_more_records(), bool) or info.get_count() != len(entries):
                problems.append("info did not decode to page 1, per_page 10, count = entries, more_records boolean")
    check("history(page=1, per_page=10) -> HistoryWrapper with History entries and Info", problems)

    # 10. download one file
    link = state.get("link")
    if link is None:
        check("download_backed_up_data -> FileBodyWrapper with a zip", ["no link (get_urls failed)"])
    else:
        response, problems, exchanges = call(ops.download_backed_up_data, link)
        if response is not None:
            obj = response.get_object()
            if not isinstance(obj, FileBodyWrapper):
                problems.append(f"decoded as {type(obj).__name__}, expected FileBodyWrapper")
                problems += [describe(x) for x in exchanges[-1:]]
            else:
                stream = obj.get_file()
                expected_name = link.rsplit("/", 1)[-1]
                if not isinstance(stream, StreamWrapper):
                    problems.append("file is not a StreamWrapper")
                else:
                    if stream.get_name() != expected_name:
                        problems.append(f"file name {stream.get_name()!r} (from Content-Disposition "
                                        f"{response.get_headers().get('Content-Disposition')!r}), expected {expected_name!r}")
                    content = stream.get_stream().content
                    if not content.startswith(b"PK"):
                        problems.append(f"content starts with {content[:8]!r}, not a zip")
        check("download_backed_up_data -> FileBodyWrapper with a zip", problems)

    if REFUSED_HOSTS:
        check("no host other than 127.0.0.1 was contacted", [f"refused: {sorted(set(REFUSED_HOSTS))}"])


if __name__ == "__main__":
    main()
