#!/usr/bin/env bash
# What installing the debs did: the user, the state directory, the token, the conffile, the
# unit (enabled, verified by systemd-analyze, not started) and the installed versions.
. "$(dirname "$0")/lib.sh"
version=$(project_version)

IFS=: read -r _ _ uid _ _ home shell < <(getent passwd maasprov) || fail "no user maasprov"
[ "$uid" -lt 1000 ] && [ "$home" = /var/lib/maasprov ] && [ "$shell" = /usr/sbin/nologin ] ||
  fail "maasprov: uid $uid, home $home, shell $shell; expected a system user (nologin)"
getent group maasprov >/dev/null || fail "no group maasprov"
ok "system user maasprov (uid $uid, home /var/lib/maasprov, no login shell)"

[ "$(stat -c '%U:%G %a' /var/lib/maasprov)" = "maasprov:maasprov 750" ] ||
  fail "/var/lib/maasprov: $(stat -c '%U:%G %a' /var/lib/maasprov), expected maasprov:maasprov 750"
ok "/var/lib/maasprov is maasprov:maasprov 750"
[ "$(stat -c '%U %a' /etc/maasprov/api-token)" = "maasprov 600" ] ||
  fail "/etc/maasprov/api-token: $(stat -c '%U %a' /etc/maasprov/api-token), expected maasprov 600"
[ "$(wc -c </etc/maasprov/api-token)" -ge 33 ] || fail "the generated API token is too short"
ok "/etc/maasprov/api-token generated, maasprov 600"
dpkg-query -W -f='${Conffiles}' maasprov | grep -q '^ /etc/maasprov/maasprovd.properties ' ||
  fail "dpkg does not record /etc/maasprov/maasprovd.properties as a conffile"
ok "/etc/maasprov/maasprovd.properties is a conffile"
# maasprovd (group maasprov) reads it and refuses it if others may.
[ "$(stat -c '%U:%G %a' /etc/maasprov/maasprovd.properties)" = "root:maasprov 640" ] ||
  fail "/etc/maasprov/maasprovd.properties: $(stat -c '%U:%G %a' /etc/maasprov/maasprovd.properties), expected root:maasprov 640"
ok "/etc/maasprov/maasprovd.properties is root:maasprov 640"

[ "$(readlink /etc/systemd/system/multi-user.target.wants/maasprovd.service)" = \
  /lib/systemd/system/maasprovd.service ] || fail "maasprovd.service is not enabled"
ok "maasprovd.service enabled (multi-user.target.wants)"
# Other build trees' tests may run their own maasprovd here: only the installed one counts.
for pid in $(pgrep -x maasprovd || true); do
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" != /usr/sbin/maasprovd ] ||
    fail "the installed maasprovd runs after a fresh install (it must wait for the MAAS key)"
done
ok "maasprovd not started by the installation"
if command -v systemd-analyze >/dev/null; then
  # Documentation=man:maasprovd(8) is checked with man(1) when it is installed.
  man_check=yes
  command -v man >/dev/null || man_check=no
  out=$(systemd-analyze verify --man=$man_check /lib/systemd/system/maasprovd.service 2>&1) ||
    fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify warns: $out"
  ok "systemd-analyze verify maasprovd.service: clean (man page checked: $man_check)"
else
  echo "  SKIP systemd-analyze is not installed: the unit was not verified"
fi
echo "  note without systemd as PID 1 the unit's sandboxing (ProtectSystem=strict ...) is not exercised"

got=$(/usr/sbin/maasprovd --version)
[ "$got" = "maasprovd $version" ] || fail "maasprovd --version: '$got', expected 'maasprovd $version'"
[ "$(dpkg-query -W -f='${Version}' maasprov)" = "$version" ] || fail "installed maasprov version"
grep -q "set(PACKAGE_VERSION \"$version\")" /usr/share/cmake/MaasProv/MaasProvConfigVersion.cmake ||
  fail "the installed CMake package does not say version $version"
if [ -x /usr/bin/maasprov ]; then
  got=$(/usr/bin/maasprov version 2>&1 </dev/null || true)
  grep -qw -- "$version" <<<"$got" || fail "maasprov version: '$got', expected $version"
  ok "maasprovd --version, maasprov version, the package and the CMake package agree: $version"
else
  cli_built && fail "/usr/bin/maasprov is not installed"
  ok "maasprovd --version, the package and the CMake package agree: $version (no CLI in this tree)"
fi
