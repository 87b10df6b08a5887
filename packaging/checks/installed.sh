#!/usr/bin/env bash
# Installs both debs on this machine, checks what the maintainer scripts did, runs the
# installed daemon and SDK (daemon_run.sh, sdk_example.sh), upgrades in place, purges, and
# checks that nothing is left. The packages are purged whatever happens.
. "$(dirname "$0")/lib.sh"
echo "==> install, run and purge the debs on this machine"
checks=$(dirname "$0")
deb=$(package_file deb maasprov)
dev=$(package_file deb maasprov-dev)
version=$(project_version)

for name in maasprov maasprov-dev; do
  if dpkg-query -W -f='${db:Status-Status}' "$name" 2>/dev/null | grep -qv '^not-installed$'; then
    fail "$name is already installed here; this check would remove it (dpkg --purge $name first)"
  fi
done
! getent passwd maasprov >/dev/null || fail "a user maasprov exists already; this check would remove it"

# Everything named like the project outside the source and build trees, before and after.
traces() {
  find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
    -o -path /var/tmp -o -path /work -o -path /home -o -path /root -o -path "$MAASPROV_ROOT" \
    -o -path "$MAASPROV_BUILD_DIR" -o -path /var/cache -o -path /var/log \) -prune \
    -o \( -name '*maasprov*' -o -name 'maas-sim*' -o -name MaasProv \) -print 2>/dev/null | sort
}
before=$(traces)

work=$(mktemp -d /tmp/maasprov-package-check.XXXXXX)
chmod 755 "$work"
export MAASPROV_CHECK_WORK=$work
cleanup() {
  "$checks/stop_processes.sh" || true
  dpkg --purge maasprov maasprov-dev >"$work/purge-on-exit.log" 2>&1 || cat "$work/purge-on-exit.log" >&2
  rm -rf "$work"
}
trap cleanup EXIT

dpkg -i "$deb" "$dev" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "dpkg -i"; }
ok "dpkg -i maasprov maasprov-dev (no systemd running as PID 1: $(ps -o comm= -p 1))"
"$checks/installed_state.sh"
"$checks/daemon_run.sh"
"$checks/sdk_example.sh"
"$checks/stop_processes.sh"

# Upgrade in place (same version again): an edited conffile survives, the token is kept.
echo "# edited by the package check" >>/etc/maasprov/maasprovd.properties
token_before=$(cat /etc/maasprov/api-token)
dpkg -i "$deb" >"$work/reinstall.log" 2>&1 || { cat "$work/reinstall.log" >&2; fail "reinstall"; }
tail -n1 /etc/maasprov/maasprovd.properties | grep -qx '# edited by the package check' ||
  fail "the edited /etc/maasprov/maasprovd.properties did not survive reinstallation"
[ "$(cat /etc/maasprov/api-token)" = "$token_before" ] || fail "reinstallation replaced the API token"
[ "$(stat -c '%U:%G %a' /etc/maasprov/maasprovd.properties)" = "root:maasprov 640" ] ||
  fail "after reinstallation /etc/maasprov/maasprovd.properties is $(stat -c '%U:%G %a' /etc/maasprov/maasprovd.properties)"
ok "reinstallation keeps the edited configuration (root:maasprov 640) and the API token"

dpkg --purge maasprov maasprov-dev >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge"; }
ok "dpkg --purge maasprov maasprov-dev"
for path in /etc/maasprov /var/lib/maasprov /etc/systemd/system/maasprovd.service \
            /etc/systemd/system/multi-user.target.wants/maasprovd.service; do
  [ ! -e "$path" ] && [ ! -L "$path" ] || fail "left after purge: $path"
done
! getent passwd maasprov >/dev/null || fail "user maasprov left after purge"
! getent group maasprov >/dev/null || fail "group maasprov left after purge"
! grep -rqs maasprovd /var/lib/systemd/deb-systemd-helper-enabled \
    /var/lib/systemd/deb-systemd-helper-masked || fail "deb-systemd-helper state left after purge"
after=$(traces)
[ "$before" = "$after" ] || fail "left after purge: $(comm -13 <(echo "$before") <(echo "$after"))"
ok "nothing left after purge: no user or group, no /etc/maasprov, /var/lib/maasprov, unit links or files"
