#!/usr/bin/env bash
# The installed maasprovd, run as the maasprov user from the packaged configuration (only the
# MAAS URL, MAAS key file and listen port changed; the installed owner and mode), against the
# installed maas-sim: it refuses the configuration when made 0644, otherwise loads the
# packaged plugins, writes its store in /var/lib/maasprov and answers /readyz.
. "$(dirname "$0")/lib.sh"
work=${MAASPROV_CHECK_WORK:?}
version=$(project_version)

# wait_for SECONDS PID COMMAND...: retry COMMAND every 0.2 s while process PID lives.
wait_for() {
  local deadline=$((SECONDS + $1)) pid=$2
  shift 2
  until "$@"; do
    [ $SECONDS -lt $deadline ] && kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
  done
}

key="pkgcheck:$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n'):secret"
echo "$key" >"$work/maas-key"
/usr/bin/maas-sim --inventory "$MAASPROV_ROOT/examples/maas-inventory.yaml" \
  --listen 127.0.0.1:0 --port-file "$work/sim.port" --api-key "$key" \
  --deploy-seconds 0.2 --commission-seconds 0.2 --release-seconds 0.2 \
  >"$work/sim.log" 2>&1 &
echo $! >"$work/maas-sim.pid"
wait_for 20 "$(cat "$work/maas-sim.pid")" test -s "$work/sim.port" || { cat "$work/sim.log" >&2; fail "maas-sim did not start"; }
sim_port=$(cat "$work/sim.port")
ok "installed maas-sim listens on 127.0.0.1:$sim_port"

# The MAAS key for the daemon: owned by maasprov, mode 600, as the configuration asks.
install -d -o maasprov -g maasprov -m 700 "$work/daemon"
install -o maasprov -g maasprov -m 600 "$work/maas-key" "$work/daemon/maas-api-key"
sed -e "s#^maas.url = .*#maas.url = http://127.0.0.1:$sim_port/MAAS#" \
    -e "s#^maas.api_key_file = .*#maas.api_key_file = $work/daemon/maas-api-key#" \
    -e "s#^api.listen = .*#api.listen = 127.0.0.1:0#" \
    /etc/maasprov/maasprovd.properties >"$work/daemon/maasprovd.properties"

# Readable by others, the configuration is refused: exit 78, one line naming file and mode.
chmod 644 "$work/daemon/maasprovd.properties"
rc=0
out=$(setpriv --reuid=maasprov --regid=maasprov --init-groups /usr/sbin/maasprovd \
  --config "$work/daemon/maasprovd.properties" 2>&1) || rc=$?
[ $rc = 78 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "is accessible by group or others (mode 0644)" <<<"$out" ||
  fail "a 0644 configuration: exit $rc, '$out'; expected exit 78 and one line saying why"
ok "the installed maasprovd refuses a configuration others may read: $out"
# The copy gets the installed file's owner and mode (root:maasprov 0640): those must do.
chown --reference=/etc/maasprov/maasprovd.properties "$work/daemon/maasprovd.properties"
chmod --reference=/etc/maasprov/maasprovd.properties "$work/daemon/maasprovd.properties"

: >"$work/daemon.log"  # exists before the background shell opens it
setpriv --reuid=maasprov --regid=maasprov --init-groups /usr/sbin/maasprovd --config "$work/daemon/maasprovd.properties" \
  >"$work/daemon.log" 2>&1 &
echo $! >"$work/maasprovd.pid"
pid=$(cat "$work/maasprovd.pid")
ready_line() { grep -q 'maasprovd ready: API on' "$work/daemon.log"; }
if ! wait_for 30 "$pid" ready_line; then
  cat "$work/daemon.log" >&2
  fail "the installed maasprovd did not start"
fi
api_port=$(sed -n 's/.*maasprovd ready: API on [^ ]* (port \([0-9]*\)).*/\1/p' "$work/daemon.log")
[ "$(ps -o user= -p "$pid")" = maasprov ] || fail "maasprovd does not run as maasprov"
ok "installed maasprovd runs as maasprov, API on 127.0.0.1:$api_port"

api="http://127.0.0.1:$api_port"
readyz() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$api/readyz")" = 200 ]; }
wait_for 30 "$pid" readyz || { cat "$work/daemon.log" >&2; fail "GET /readyz did not answer 200"; }
ok "GET /readyz: 200"

plugins=$(curl -fsS -H "Authorization: Bearer $(cat /etc/maasprov/api-token)" \
  "$api/apis/maasprov.io/v1/plugins") || fail "GET plugins with the generated token"
ma=$(multiarch)
loaded=$(jq -r '.items[].file' <<<"$plugins" | sort)
want=$(built_plugins | sed "s#^#/usr/lib/$ma/maasprov/plugins/#" | sort)
[ "$loaded" = "$want" ] || fail "loaded plugins: [$loaded], expected [$want]"
[ "$(jq '.refused | length' <<<"$plugins")" = 0 ] || fail "refused plugins: $plugins"
ok "the packaged plugins are loaded: $(jq -r '[.items[].name] | join(", ")' <<<"$plugins")"

[ "$(stat -c %U /var/lib/maasprov/maasprov.db)" = maasprov ] ||
  fail "the store /var/lib/maasprov/maasprov.db is not maasprov's"
ok "store created in /var/lib/maasprov by maasprov"

if [ -x /usr/bin/maasprov ]; then
  got=$(MAASPROV_SERVER="$api" /usr/bin/maasprov version 2>&1) || fail "maasprov version: $got"
  grep -qw -- "$version" <<<"$got" || fail "maasprov version: '$got', expected $version"
  ok "maasprov version (against the installed daemon): $version"
fi

