#!/usr/bin/env bash
# The rpm's scriptlets for real, without systemd: `rpm -i --nodeps` (the requirements name
# Fedora-style sonames this Debian machine's rpm database does not know) creates the user, the
# state directory with its %attr, the API token and the enablement link; `rpm -e` stops
# nothing (no systemd), disables the unit and removes the files. RPM keeps the user and the
# token by design; this check removes them afterwards, whatever happens.
. "$(dirname "$0")/lib.sh"
echo "==> rpm scriptlets: install and erase maasprov.rpm on this machine"
rpm_main=$(package_file rpm maasprov)
! rpm -q maasprov >/dev/null 2>&1 || fail "maasprov is installed in the rpm database already"
! getent passwd maasprov >/dev/null || fail "a user maasprov exists already; this check would remove it"
wants=/etc/systemd/system/multi-user.target.wants/maasprovd.service
[ ! -L "$wants" ] || fail "$wants exists already; this check would remove it"

cleanup() {
  rpm -e --nodeps maasprov >/dev/null 2>&1 || true
  getent passwd maasprov >/dev/null && userdel maasprov
  getent group maasprov >/dev/null && groupdel maasprov
  rm -rf /etc/maasprov /var/lib/maasprov
  rm -f "$wants"
}
trap cleanup EXIT

rpm -i --nodeps "$rpm_main" 2>&1 | grep -v '^rpm: \(RPM should not\|However\)' || true
rpm -q maasprov >/dev/null 2>&1 || fail "rpm -i maasprov failed"
getent passwd maasprov | grep -q ':/var/lib/maasprov:/sbin/nologin$' || fail "%pre: no system user maasprov"
[ "$(stat -c '%U:%G %a' /var/lib/maasprov)" = "maasprov:maasprov 750" ] || fail "%attr of /var/lib/maasprov"
[ "$(stat -c '%U %a' /etc/maasprov/api-token)" = "maasprov 600" ] || fail "%post: no API token"
[ "$(stat -c '%U:%G %a' /etc/maasprov/maasprovd.properties)" = "root:maasprov 640" ] ||
  fail "%attr of /etc/maasprov/maasprovd.properties: $(stat -c '%U:%G %a' /etc/maasprov/maasprovd.properties)"
[ -L "$wants" ] || fail "%post: the unit is not enabled"
ok "rpm -i: user, /var/lib/maasprov (maasprov 750), config (root:maasprov 640), API token (maasprov 600), unit enabled"

rpm -e maasprov 2>&1 | grep -v '^rpm: \(RPM should not\|However\)' || true
! rpm -q maasprov >/dev/null 2>&1 || fail "rpm -e maasprov failed"
[ ! -e "$wants" ] && [ ! -L "$wants" ] || fail "%preun: the unit is still enabled"
[ ! -e /usr/sbin/maasprovd ] && [ ! -e /var/lib/maasprov ] || fail "rpm -e left packaged files"
ok "rpm -e: unit disabled, files and the empty state directory removed (user and token kept, as RPM does)"
