#!/bin/bash
# Runs inside a booted Debian 12 container (systemd 252 as PID 1), started by
# .ci/system-test through .ci/nspawn-run, with the package at /mnt/artifacts/*.deb.
# It installs the package and checks, with the real systemd, everything issue 9 asks:
# install, the hardened unit reaching active only after READY=1, STATUS=, a backup from
# the built-in simulator into the archive, the journal fields and catalog, reload with a
# broken policy, the watchdog, stop, upgrade and removal. Prints PASS/FAIL lines and
# "system test: N passed, N failed"; exits non-zero when anything failed.
set -uo pipefail
export SYSTEMD_PAGER= SYSTEMD_COLORS=0 LC_ALL=C.UTF-8
PKG=zoho-crm-backup
UNIT=$PKG.service
POLICY=/etc/$PKG/policy.yaml
CREDS=/etc/$PKG/credentials
ARCHIVE=/var/lib/$PKG/archive/acme
METRICS=/var/lib/prometheus/node-exporter/$PKG.prom
DEB=$(ls /mnt/artifacts/*.deb | head -1)
passed=0 failed=0 T0=$SECONDS

pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }
# check DESCRIPTION COMMAND…: PASS when the command succeeds.
check() { local d=$1; shift; if "$@" >/tmp/check.out 2>&1; then pass "$d"; else fail "$d"; sed 's/^/      | /' /tmp/check.out | tail -20; fi; }
# wait_until SECONDS COMMAND…: polls every 0.2 s.
wait_until() { local end=$((SECONDS + $1)); shift; until "$@" >/dev/null 2>&1; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.2; done; }
prop() { systemctl show -p "$1" --value "$UNIT"; }
# props A B …: the values of those properties, space-separated, in the order asked.
props() { local p out=(); for p in "$@"; do out+=("$(prop "$p")"); done; echo "${out[*]}"; }
export -f prop props; export UNIT
section() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - T0))"; }
contains() { grep -q -- "$2" <<<"$1"; }
# The unit's journal since a cursor, as text or JSON lines.
journal_since() { journalctl --no-pager -u "$UNIT" --after-cursor="$1" "${@:2}"; }
cursor() { journalctl --no-pager -n 0 --show-cursor | sed -n 's/^-- cursor: //p'; }

section "install"
# apt-get, not a bare dpkg -i: the Depends (libsqlite3-0, libxlsxwriter4, …) must be met.
check "apt-get install ./$(basename "$DEB") (its Depends met)" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$DEB"
check "the service user exists, with no login shell" bash -c "getent passwd $PKG | grep -q ':/usr/sbin/nologin$'"
check "$CREDS is root's, mode 0700, empty" bash -c "[ \"\$(stat -c '%U %a' $CREDS)\" = 'root 700' ] && [ -z \"\$(ls -A $CREDS)\" ]"
check "$POLICY is a conffile with version: 1, orgs: {}" bash -c "dpkg-query -W -f='\${Conffiles}' $PKG | grep -q '$POLICY' && grep -qx 'orgs: {}' $POLICY"
check "the unit is installed but neither enabled nor started" bash -c "[ \"\$(systemctl is-enabled $UNIT)\" = disabled ] && ! systemctl is-active -q $UNIT"
check "the catalog is installed and compiled (journalctl --list-catalog)" bash -c "journalctl --list-catalog | grep -q b637921a5e4d41d9818ec0e4fdf19385"
check "man page, completions, the example policy and the Prometheus rules are installed" test -s /usr/share/man/man1/$PKG.1.gz \
  -a -s /usr/share/bash-completion/completions/$PKG -a -s /usr/share/zsh/vendor-completions/_$PKG \
  -a -s /usr/share/fish/vendor_completions.d/$PKG.fish -a -s /usr/share/doc/$PKG/examples/policy.example.yaml \
  -a -s /usr/share/doc/$PKG/examples/prometheus/zoho-crm-backup.rules.yml
# --man=no: this minimal system has no man(1) to check Documentation=man:… with.
check "systemd-analyze verify prints nothing" bash -c "out=\$(systemd-analyze verify --man=no $UNIT 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
score=$(systemd-analyze security "$UNIT" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
check "systemd-analyze security (live unit) scores ${score:-?} <= 2.0" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'

section "first start: the shipped policy, hardened unit, Type=notify"
# systemd's debug log shows the notification and the state change it causes, in order.
systemd-analyze log-level debug
c=$(cursor)
check "systemctl start (shipped policy, empty credentials directory)" systemctl start "$UNIT"
systemd-analyze log-level info
check "active, Type=notify, no restarts" bash -c '[ "$(props ActiveState Type NRestarts)" = "active notify 0" ]'
log=$(journalctl --no-pager -o cat --after-cursor="$c" _PID=1 UNIT="$UNIT")
ready_line=$(grep -n 'Got notification message from PID .*READY=1' <<<"$log" | head -1 | cut -d: -f1)
running_line=$(grep -n 'Changed start -> running' <<<"$log" | head -1 | cut -d: -f1)
started_line=$(grep -n '^Started ' <<<"$log" | head -1 | cut -d: -f1)
check "systemd got READY=1 before the unit went start -> running -> Started (lines ${ready_line:-?} < ${running_line:-?} <= ${started_line:-?})" \
  bash -c "[ -n '$ready_line' ] && [ -n '$running_line' ] && [ -n '$started_line' ] && [ $ready_line -lt $running_line ] && [ $running_line -lt $started_line ]"
check "STATUS= is 'no orgs configured'" bash -c "[ \"\$(systemctl show -p StatusText --value $UNIT)\" = 'no orgs configured' ]"
check "the journal says 'no orgs configured'" bash -c "journalctl --no-pager -u $UNIT -o cat | grep -q 'no orgs configured'"
check "LoadCredential= on the empty directory gives the daemon an empty CREDENTIALS_DIRECTORY" \
  bash -c "d=/run/credentials/$UNIT; [ -d \$d ] && [ -z \"\$(ls -A \$d)\" ]"
check "runs as $PKG with no capabilities, no new privileges, seccomp on" bash -c "
  pid=\$(systemctl show -p MainPID --value $UNIT)
  [ \"\$(stat -c %U /proc/\$pid)\" = $PKG ] && grep -q '^CapEff:[[:space:]]*0000000000000000' /proc/\$pid/status \
    && grep -q '^NoNewPrivs:[[:space:]]*1' /proc/\$pid/status && grep -q '^Seccomp:[[:space:]]*2' /proc/\$pid/status"

section "a unit whose daemon never says READY=1 never becomes active"
cp "$POLICY" /tmp/policy.good
printf 'version: 1\norgs:\n  Bad Name: {}\n' >"$POLICY"
systemctl stop "$UNIT"
entered=$(prop ActiveEnterTimestampMonotonic)
check "systemctl start fails when the policy is invalid (the daemon exits 1, no READY=1)" bash -c "! systemctl start $UNIT"
check "… and the unit never became active (Result=exit-code, ActiveEnterTimestamp unchanged)" \
  bash -c '[ "$(props Result ActiveEnterTimestampMonotonic)" = "exit-code '"$entered"'" ] && ! systemctl is-active -q $UNIT'
systemctl stop "$UNIT"; systemctl reset-failed "$UNIT" 2>/dev/null
cp /tmp/policy.good "$POLICY"
# Why the package ships the (empty) credentials directory: without it the unit cannot start.
rmdir "$CREDS"
check "without $CREDS the unit fails with 243/CREDENTIALS (so the package ships it)" \
  bash -c '! systemctl start $UNIT 2>/dev/null && [ "$(prop ExecMainStatus)" = 243 ]'
systemctl stop "$UNIT"; systemctl reset-failed "$UNIT" 2>/dev/null
install -d -m 0700 "$CREDS"

section "credentials, then a policy for the built-in simulator; a reload puts it in force"
check "systemctl start (shipped policy again)" systemctl start "$UNIT"
systemd-run -q --unit=zoho-sim -p Type=exec /usr/bin/$PKG simulator --port 0 --job-duration 2s
check "the simulator listens" wait_until 20 bash -c "journalctl --no-pager -u zoho-sim -o cat | grep -q 'listening on http://'"
sim=$(journalctl --no-pager -u zoho-sim -o cat)
base=$(sed -n 's/.*listening on \(http:\/\/[^ ]*\).*/\1/p' <<<"$sim" | head -1)
credentials=$(grep -o '{"client_id".*}' <<<"$sim" | head -1)
install -m 0600 /dev/null "$CREDS/acme.json"
printf '%s\n' "$credentials" >"$CREDS/acme.json"
# node_exporter's textfile directory, writable by the service user; ReadWritePaths= applies
# it when the service starts.
install -d -m 0755 -o "$PKG" -g "$PKG" /var/lib/prometheus/node-exporter
# LoadCredential= copies the files when the service starts: a new or changed credentials
# file needs a restart (a reload re-reads only the policy).
check "systemctl restart hands the new credentials file to the daemon" bash -c \
  "systemctl restart $UNIT && [ -s /run/credentials/$UNIT/org_acme.json ] && [ \"\$(stat -c '%U %a' /run/credentials/$UNIT/org_acme.json)\" = '$PKG 400' ]"
cat >"$POLICY" <<EOF
# the system test's policy: one org on the built-in simulator
version: 1
metrics:
  textfile: $METRICS
orgs:
  acme:
    data_center: us
    credentials: acme
    schedule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"
    poll_interval: 2s
    timezone: UTC
    endpoints:
      accounts: $base
      api: $base
      download_hosts: ["${base#http://}"]
EOF
check "zoho-crm-backup check (policy and credentials)" $PKG check
c=$(cursor)
check "systemctl reload" systemctl reload "$UNIT"
check "the reload put acme in force" wait_until 10 bash -c "journalctl --no-pager -u $UNIT --after-cursor='$c' -o cat | grep -q 'policy reloaded.*added: acme'"
check "the daemon scheduled the policy's RRULE in Zoho (MESSAGE_ID schedule changed)" \
  wait_until 30 bash -c "journalctl --no-pager -u $UNIT MESSAGE_ID=83f879bbdb2847e6af92485329efe704 ZOHO_ORG=acme -o cat | grep -q ."
check "systemctl status shows the STATUS= line" wait_until 15 bash -c "systemctl status --no-pager $UNIT | grep -q 'Status: \"1 org OK\\|Status: \"acme'"
systemctl status --no-pager "$UNIT" | sed -n 's/^ *Status: /      status line: /p'

section "a backup completes into the archive"
# `now` writes into state: it runs as the service user, with the unit's credentials.
check "now --org acme --yes --wait --replace-schedule (as $PKG, with LoadCredential=)" \
  timeout 120 systemd-run -q --wait --pipe -p User=$PKG -p LoadCredential=org:$CREDS \
  /usr/bin/$PKG now --org acme --yes --wait --replace-schedule
# As root: it reads the root-only credentials, then becomes the service user before writing.
check "now --org acme --yes --wait --replace-schedule (as root)" \
  timeout 120 /usr/bin/$PKG now --org acme --yes --wait --replace-schedule
check "two backups in $ARCHIVE" bash -c "[ \$(ls -d '$ARCHIVE'/20*_* | wc -l) -eq 2 ]"
folder=$(ls -d "$ARCHIVE"/20*_* 2>/dev/null | head -1)
job=${folder##*_}
check "a backup folder is in $ARCHIVE (${folder##*/})" test -n "$folder" -a -f "$folder/manifest.json"
check "sha256sum -c SHA256SUMS passes" bash -c "cd '$folder' && sha256sum -c --quiet SHA256SUMS"
check "unzip -t passes for every part" bash -c "cd '$folder' && for z in *.zip; do unzip -tqq \"\$z\" || exit 1; done"
check "zoho-crm-backup list (as root) shows the job" bash -c "$PKG list --org acme | grep -q '$job'"
check "zoho-crm-backup verify (as root) passes" $PKG verify --org acme
check "zoho-crm-backup status (as root) shows the daemon's view of acme" bash -c "$PKG status --org acme | grep -q 'by the daemon'"
check "zoho-crm-backup plan (as root: reads the credentials, then observes Zoho as $PKG)" bash -c "$PKG plan --org acme | grep -q 'acme (schedule'"
check "zoho-crm-backup history (as root)" bash -c "$PKG history --org acme | grep -q ."
check "state and archive belong to $PKG (root's commands left no file behind): folders 0700, files 0600" bash -c "
  [ \"\$(stat -c '%U %a' '$folder')\" = '$PKG 700' ] && [ -z \"\$(find '$folder' -type f ! -perm 0600)\" ] \
    && [ -z \"\$(find /var/lib/$PKG ! -user $PKG)\" ]"
check "the metrics textfile is written (ReadWritePaths=)" wait_until 15 grep -q 'zoho_crm_backup_last_success_timestamp_seconds{org="acme"}' "$METRICS"

section "the journal"
json=$(journalctl --no-pager -u "$UNIT" -o json)
check "journal entries carry SYSLOG_IDENTIFIER=$PKG" contains "$json" "\"SYSLOG_IDENTIFIER\":\"$PKG\""
check "journal entries carry ZOHO_ORG=acme" contains "$json" '"ZOHO_ORG":"acme"'
check "journal entries carry ZOHO_JOB_ID=$job" contains "$json" "\"ZOHO_JOB_ID\":\"$job\""
check "'backup archived' has MESSAGE_ID b637921a… with ZOHO_ORG and ZOHO_JOB_ID" bash -c \
  "journalctl --no-pager -u $UNIT -o json MESSAGE_ID=b637921a5e4d41d9818ec0e4fdf19385 | grep '\"ZOHO_ORG\":\"acme\"' | grep -q '\"ZOHO_JOB_ID\":\"$job\"'"
check "journalctl -x shows the catalog text" bash -c \
  "journalctl --no-pager -x -u $UNIT MESSAGE_ID=b637921a5e4d41d9818ec0e4fdf19385 | grep -q 'Subject: Zoho CRM backup archived for acme'"

section "restore --format xlsx with the packaged binary and Debian's libxlsxwriter"
check "restore $job --format xlsx: one workbook, an About sheet and a sheet per module, recorded complete" bash -c \
  "$PKG restore $job --org acme --format xlsx --to /tmp/xlsx >/dev/null && f=\$(ls /tmp/xlsx/*.xlsx) && unzip -l \"\$f\" | grep -q xl/worksheets/sheet3.xml \
   && grep -Eq '\"output\" ?: ?\"xlsx\"' /tmp/xlsx/restore.json && grep -Eq '\"complete\" ?: ?true' /tmp/xlsx/restore.json && unzip -p \"\$f\" xl/workbook.xml | grep -q 'name=\"About\"'"

section "an off-site copy under the hardened unit, restored with restore --from-offsite"
# Debian's restic, copied from the host (the package recommends it).
install -m 0755 /mnt/artifacts/restic /usr/local/bin/restic
REPO=/var/lib/$PKG/restic
install -m 0600 /dev/null "$CREDS/restic-acme"
echo "the system test's passphrase" >"$CREDS/restic-acme"
printf '    offsite:\n      repository: %s\n      password_secret: restic-acme\n' "$REPO" >>"$POLICY"
check "zoho-crm-backup check (the password secret and restic)" $PKG check
check "offsite init (as root: the repository is handed to $PKG)" bash -c \
  "$PKG offsite init --org acme && [ -z \"\$(find '$REPO' ! -user $PKG)\" ]"
check "systemctl restart hands the password secret to the daemon (LoadCredential=)" bash -c \
  "systemctl restart $UNIT && [ -s /run/credentials/$UNIT/org_restic-acme ]"
check "the daemon copies both backups: restic runs as its child under the hardened unit (MESSAGE_ID bb5ea4db…)" \
  wait_until 120 bash -c "[ \$(journalctl --no-pager -u $UNIT MESSAGE_ID=bb5ea4dbfa5a4d95ac953cb18a617c4a ZOHO_ORG=acme -o cat | wc -l) -ge 2 ]"
check "no off-site failure in the journal" bash -c "! journalctl --no-pager -u $UNIT MESSAGE_ID=76af7552eed04a13803509a02f923810 -o cat | grep -q ."
check "offsite status: every backup copied (exit 0)" bash -c "$PKG offsite status --org acme | grep -q 'lag: 0 backups'"
check "restore --from-offsite $job gives the archived bytes, checked against the manifest" bash -c \
  "$PKG restore --from-offsite $job --org acme --to /tmp/offsite >/dev/null && cd '$folder' && for f in *; do cmp -s \"\$f\" \"/tmp/offsite/\$f\" || exit 1; done"
check "restic's cache is under the state folder, the service user's" bash -c "[ \"\$(stat -c %U /var/lib/$PKG/state/restic-cache)\" = $PKG ]"

section "reload with a broken policy keeps the old one"
pid=$(prop MainPID)
cp "$POLICY" /tmp/policy.acme
# line 5, column 3: an unknown key; the policy it replaces stays in force
printf '# broken on purpose\nversion: 1\norgs: {}\nmetrics:\n  textfile_typo: /tmp/x\n' >"$POLICY"
c=$(cursor)
check "systemctl reload (broken policy) succeeds" systemctl reload "$UNIT"
check "the daemon logs 'policy reload failed' with $POLICY:line:col" wait_until 10 bash -c \
  "journalctl --no-pager -u $UNIT --after-cursor='$c' -o cat | grep -q 'policy reload failed' && journalctl --no-pager -u $UNIT --after-cursor='$c' -o cat | grep -Eq '$POLICY:[0-9]+:[0-9]+'"
journal_since "$c" -o cat | grep -E "$POLICY:[0-9]+:[0-9]+" | head -3 | sed 's/^/      error: /'
check "same process, still active, acme still in force (no 'no orgs configured')" bash -c \
  "[ \"\$(systemctl show -p MainPID --value $UNIT)\" = $pid ] && systemctl is-active -q $UNIT && [ \"\$(systemctl show -p StatusText --value $UNIT)\" != 'no orgs configured' ] && ! journalctl --no-pager -u $UNIT --after-cursor='$c' -o cat | grep -q 'policy reloaded'"
cp /tmp/policy.acme "$POLICY"
c=$(cursor)
systemctl reload "$UNIT"
check "the fixed policy reloads" wait_until 10 bash -c "journalctl --no-pager -u $UNIT --after-cursor='$c' -o cat | grep -q 'policy reloaded.*1 orgs'"

section "the watchdog restarts a stopped daemon"
mkdir -p /run/systemd/system/$UNIT.d
# A stray test hook in the environment (state.beforeRename is reached every cycle): the
# release build ignores it without ZOHO_CRM_BACKUP_TEST_HOOKS=1, and says so.
printf '[Service]\nWatchdogSec=3s\nRestartSec=1s\nTimeoutAbortSec=5s\nEnvironment=ZOHO_CRM_BACKUP_FAULT=state.beforeRename\n' >/run/systemd/system/$UNIT.d/watchdog.conf
systemctl daemon-reload
c=$(cursor)
check "restart with WatchdogSec=3s" systemctl restart "$UNIT"
restarts=$(prop NRestarts) pid=$(prop MainPID)
check "WATCHDOG_USEC reaches the daemon and it keeps pinging (still active after 5 s)" bash -c "sleep 5; systemctl is-active -q $UNIT && [ \"\$(systemctl show -p MainPID --value $UNIT)\" = $pid ]"
check "a stray ZOHO_CRM_BACKUP_FAULT is ignored by the release build, and logged" bash -c \
  "journalctl --no-pager -u $UNIT --after-cursor='$c' -o cat | grep -q 'ZOHO_CRM_BACKUP_FAULT is set but ignored' && [ \"\$(systemctl show -p NRestarts --value $UNIT)\" = $restarts ]"
c=$(cursor)
kill -STOP "$pid"
check "kill -STOP: systemd kills it for the watchdog and restarts it (NRestarts $restarts -> more)" wait_until 30 bash -c \
  "[ \"\$(systemctl show -p NRestarts --value $UNIT)\" -gt $restarts ] && systemctl is-active -q $UNIT && [ \"\$(systemctl show -p MainPID --value $UNIT)\" != $pid ]"
check "the journal says 'Watchdog timeout'" bash -c "journalctl --no-pager -u $UNIT --after-cursor='$c' -o cat | grep -q 'Watchdog timeout'"
rm -r /run/systemd/system/$UNIT.d
systemctl daemon-reload
check "restart with the packaged WatchdogSec=30s" bash -c "systemctl restart $UNIT && [ \"\$(systemctl show -p WatchdogUSec --value $UNIT)\" = 30s ]"

section "a crash leaves no core dump and no memory in the journal"
check "MemoryMax=2G and OOMPolicy=continue are in force" bash -c \
  "[ \"\$(systemctl show -p MemoryMax --value $UNIT)\" = 2147483648 ] && [ \"\$(systemctl show -p OOMPolicy --value $UNIT)\" = continue ]"
pid=$(prop MainPID) restarts=$(prop NRestarts)
check "the daemon's core file size limit is 0 (LimitCORE=0)" bash -c "grep -Eq '^Max core file size +0 +0' /proc/$pid/limits"
c=$(cursor)
kill -SEGV "$pid"
check "kill -SEGV: systemd restarts it" wait_until 30 bash -c \
  "[ \"\$(systemctl show -p NRestarts --value $UNIT)\" -gt $restarts ] && systemctl is-active -q $UNIT"
check "no backtrace, registers or memory of the crashed process in the journal (SWIFT_BACKTRACE=enable=no)" bash -c \
  "! journalctl --no-pager -u $UNIT --after-cursor='$c' -o cat | grep -Eiq 'Program crashed|Backtracing|Registers|^Thread [0-9]'"
check "no core dump was written" bash -c "[ -z \"\$(ls -A /var/lib/systemd/coredump 2>/dev/null)\" ] && ! ls /core* /var/lib/zoho-crm-backup/core* >/dev/null 2>&1"

section "alerts by e-mail: Debian's msmtp-mta under the hardened unit, into an SMTP sink on loopback"
# The sink (aiosmtpd, PyPI) runs on the host, outside the container, and keeps each message in
# the Maildir /mnt/artifacts/mail with the envelope as X-MailFrom and X-RcptTo.
port=$(cat /mnt/artifacts/smtp-port)
printf 'defaults\nauth off\ntls off\nsyslog LOG_MAIL\naccount sink\nhost 127.0.0.1\nport %s\nfrom zoho-crm-backup@container.test\naccount default : sink\n' "$port" >/etc/msmtprc
chmod 644 /etc/msmtprc
printf '    notify:\n      email: { to: [ops@example.com, boss@example.org], from: zoho-crm-backup@container.test, events: [daemon_started, backup_failed] }\n' >>"$POLICY"
check "check accepts msmtp's sendmail" $PKG check
chmod g+s /usr/bin/msmtp
check "a setgid sendmail (msmtp made setgid): check names it and the fix (chmod g-s), exit 1" bash -c \
  "! $PKG check >/tmp/setgid.out 2>&1 && grep -q 'setuid or setgid' /tmp/setgid.out && grep -q 'NoNewPrivileges=' /tmp/setgid.out && grep -q 'chmod u-s,g-s /usr/bin/msmtp' /tmp/setgid.out"
chmod g-s /usr/bin/msmtp
check "systemctl restart with notify.email in the policy" systemctl restart "$UNIT"
started_mail() { grep -l '^Subject: \[zoho-crm-backup\] .*: daemon started' /mnt/artifacts/mail/new/* 2>/dev/null | head -1; }
check "the daemon's daemon_started reached the sink through msmtp" wait_until 30 bash -c \
  "grep -l '^Subject: \\[zoho-crm-backup\\] .*: daemon started' /mnt/artifacts/mail/new/* >/dev/null 2>&1"
mail=$(started_mail)
check "envelope: from zoho-crm-backup@container.test to both recipients" bash -c \
  "grep -q '^X-MailFrom: zoho-crm-backup@container.test' '$mail' && grep -q '^X-RcptTo: ops@example.com, boss@example.org' '$mail'"
check "headers: From, To, a subject naming the event, plain text" bash -c \
  "grep -q '^From: zoho-crm-backup@container.test' '$mail' && grep -q '^To: ops@example.com, boss@example.org' '$mail' && grep -q '^Content-Type: text/plain; charset=utf-8' '$mail'"
check "body: the journal's sentence" grep -q 'zoho-crm-backup started: 1 org in the policy' "$mail"
check "nothing waits in the outbox" wait_until 10 bash -c "[ -z \"\$(ls /var/lib/$PKG/state/outbox/ | grep -v delivery-state)\" ]"

section "stop"
c=$(cursor)
check "systemctl stop" systemctl stop "$UNIT"
check "stopped cleanly: inactive, Result=success, exit status 0" bash -c '[ "$(props ActiveState Result ExecMainStatus)" = "inactive success 0" ]'
check "the daemon logged 'stopped'" bash -c "journalctl --no-pager -u $UNIT --after-cursor='$c' -o cat | grep -qx 'stopped'"

section "upgrade keeps the policy"
modified=$(sha256sum "$POLICY")
# The same package as version <version>+systemtest1: an upgrade, with the same shipped policy.
rm -rf /tmp/up && dpkg-deb -R "$DEB" /tmp/up
sed -i 's/^Version: .*/&+systemtest1/' /tmp/up/DEBIAN/control
dpkg-deb -Znone -b /tmp/up /tmp/up.deb >/dev/null
systemctl start "$UNIT"
pid=$(prop MainPID)
check "dpkg -i of a newer version" dpkg -i /tmp/up.deb
check "the modified policy is untouched" bash -c "[ \"\$(sha256sum $POLICY)\" = '$modified' ]"
check "the running daemon was restarted on the new version" bash -c "systemctl is-active -q $UNIT && [ \"\$(systemctl show -p MainPID --value $UNIT)\" != $pid ]"
check "still not enabled: the package enables nothing" bash -c "[ \"\$(systemctl is-enabled $UNIT)\" = disabled ]"

section "dpkg -r, then dpkg --purge"
check "the admin enables it (systemctl enable)" bash -c "systemctl enable -q $UNIT && [ -L /etc/systemd/system/multi-user.target.wants/$UNIT ]"
check "dpkg -r $PKG" dpkg -r "$PKG"
check "the daemon is stopped and the binary and unit are gone" bash -c \
  "! systemctl is-active -q $UNIT && [ ! -e /usr/bin/$PKG ] && [ ! -e /usr/lib/systemd/system/$UNIT ]"
check "the policy is still there, as the admin left it" bash -c "[ \"\$(sha256sum $POLICY)\" = '$modified' ]"
check "the archive is still there and verifies" bash -c "cd '$folder' && sha256sum -c --quiet SHA256SUMS"
check "state and credentials are still there" test -f /var/lib/$PKG/state/acme/state.json -a -f "$CREDS/acme.json"
check "dpkg keeps the package as config-files (rc)" bash -c "dpkg -l $PKG | grep -q '^rc'"
check "dpkg --purge $PKG" dpkg --purge "$PKG"
check "purge removes the policy and the enable link" bash -c "[ ! -e $POLICY ] && [ ! -e /etc/systemd/system/multi-user.target.wants/$UNIT ]"
check "purge keeps the backups, the credentials and the service user" bash -c \
  "cd '$folder' && sha256sum -c --quiet SHA256SUMS && [ -f $CREDS/acme.json ] && getent passwd $PKG >/dev/null"

systemctl stop zoho-sim 2>/dev/null
if [ "$failed" != 0 ]; then
  echo; echo "---- for the failures: the unit's journal (last 80 entries)"
  journalctl --no-pager -u "$UNIT" -o short-precise -n 80 | grep -v 'Failed to set thread priority'
fi
printf '\n%ss in the container\n' "$((SECONDS - T0))"
echo "in the container: $passed passed, $failed failed"
[ "$failed" = 0 ]
