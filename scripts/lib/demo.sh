# shellcheck shell=bash
# Helpers of scripts/demo: start, check and stop maas-sim and maasprovd for the demo, keeping
# their state, logs and pid files in <build>/demo/. Sourced, not run.

# demo_init BUILD_DIR: where everything lives.
demo_init() {
  DEMO_BUILD=$(cd "$1" 2>/dev/null && pwd || echo "$1")
  DEMO_DIR=$DEMO_BUILD/demo
  DEMO_BIN=$DEMO_BUILD/bin
}

# maasprov with the demo's server and token, whatever the user's environment says.
maasprov() {
  "$DEMO_BIN/maasprov" --server "http://127.0.0.1:$DEMO_API_PORT" \
    --token-file "$DEMO_DIR/api-token" "$@"
}

demo_fail() {
  echo "demo: FAILED: $1" >&2
  for log in maasprovd.log maas-sim.log; do
    if [ -s "$DEMO_DIR/$log" ]; then
      echo "---- last lines of $DEMO_DIR/$log" >&2
      tail -n 25 "$DEMO_DIR/$log" >&2
    fi
  done
  # Nothing half-started is left behind; the logs stay in $DEMO_DIR.
  demo_stop quiet
  exit 1
}

demo_check_build() {
  local missing=()
  local f
  for f in bin/maasprov bin/maasprovd bin/maas-sim; do
    [ -x "$DEMO_BUILD/$f" ] || missing+=("$DEMO_BUILD/$f")
  done
  for f in baremetal dns lxd; do
    compgen -G "$DEMO_BUILD/lib/maasprov/plugins/*$f*.so" >/dev/null ||
      missing+=("the $f plugin in $DEMO_BUILD/lib/maasprov/plugins/")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local IFS=,
    echo "demo: FAILED: the build is missing: ${missing[*]}" | sed 's/,/, /g' >&2
    echo "demo: build it with ./scripts/demo (without MAASPROV_DEMO_NO_BUILD) or ./scripts/test" >&2
    exit 1
  fi
}

# True when pid file $1 names a live process whose command is $2.
demo_alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$2"
}

# demo_stop [quiet]: SIGTERM to the processes this demo started (by pid file), then SIGKILL
# after 10 s. Only pids whose command line is maasprovd/maas-sim are touched.
demo_stop() {
  local name pidfile pid i stopped=0
  for name in maasprovd maas-sim; do
    pidfile=$DEMO_DIR/$name.pid
    if demo_alive "$pidfile" "$name"; then
      pid=$(cat "$pidfile")
      kill -TERM "$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        demo_alive "$pidfile" "$name" || break
        sleep 0.1
      done
      if demo_alive "$pidfile" "$name"; then
        echo "demo: $name (pid $pid) did not stop within 10 s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
      fi
      stopped=1
      [ "${1:-}" = quiet ] || echo "stopped $name (pid $pid)"
    fi
    rm -f "$pidfile"
  done
  if [ "${1:-}" != quiet ] && [ "$stopped" = 0 ]; then echo "no demo is running (from $DEMO_DIR)"; fi
  return 0
}

# demo_wait_port_file FILE PID: the port once FILE holds one (10 s at most), or failure as
# soon as PID has exited. (Only the pid is checked: right after the fork its command line is
# still this script's.)
demo_wait_port_file() {
  local i
  for ((i = 0; i < 200; i++)); do
    if [ -s "$1" ]; then
      cat "$1"
      return 0
    fi
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

demo_port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# demo_start_sim PORT DEPLOY_SECONDS
demo_start_sim() {
  local port=$1
  if [ "$port" != 0 ] && ! demo_port_free "$port"; then
    demo_fail "port $port (for maas-sim) is in use by another program; stop it or set MAASPROV_DEMO_SIM_PORT"
  fi
  mkdir -p "$DEMO_DIR"
  # Logs of an earlier run would only mislead if this one fails.
  rm -f "$DEMO_DIR/maas-sim.port" "$DEMO_DIR/maas-sim.log" "$DEMO_DIR/maasprovd.log"
  echo "==> starting maas-sim (MAAS simulator) with examples/maas-inventory.yaml"
  setsid "$DEMO_BIN/maas-sim" --inventory "$MAASPROV_ROOT/examples/maas-inventory.yaml" \
    --listen "127.0.0.1:$port" --port-file "$DEMO_DIR/maas-sim.port" \
    --deploy-seconds "$2" --commission-seconds 2 --release-seconds 1 \
    </dev/null >"$DEMO_DIR/maas-sim.log" 2>&1 &
  echo $! >"$DEMO_DIR/maas-sim.pid"
  DEMO_SIM_PORT=$(demo_wait_port_file "$DEMO_DIR/maas-sim.port" $!) ||
    demo_fail "maas-sim did not start"
  echo "    MAAS API on http://127.0.0.1:$DEMO_SIM_PORT/MAAS (deploys take $2 s)"
}

# demo_start_daemon PORT: maasprovd with examples/maasprovd.properties, its paths and ports
# pointed at this build (the example's lines for those keys are dropped and this run's values
# appended: maasprovd refuses a key set twice).
demo_start_daemon() {
  local port=$1 config=$DEMO_DIR/maasprovd.properties
  if [ "$port" != 0 ] && ! demo_port_free "$port"; then
    demo_fail "port $port (for maasprovd) is in use by another program; stop it or set MAASPROV_DEMO_API_PORT"
  fi
  (
    umask 077
    echo maasprov:sim:secret >"$DEMO_DIR/maas-api-key"  # maas-sim's default key
    [ -s "$DEMO_DIR/api-token" ] || head -c 24 /dev/urandom | base64 >"$DEMO_DIR/api-token"
    # maasprovd refuses secret files that group or others may read.
    chmod 600 "$DEMO_DIR/maas-api-key" "$DEMO_DIR/api-token"
  )
  # Every run starts from an empty store.
  rm -f "$DEMO_DIR/maasprov.db" "$DEMO_DIR/maasprov.db-wal" "$DEMO_DIR/maasprov.db-shm" \
    "$DEMO_DIR/maasprov.db.lock" "$DEMO_DIR/api.port"
  local overridden='maas\.url|maas\.api_key_file|plugins\.directories|store\.path|api\.listen|api\.token_file|api\.port_file'
  (
    # maasprovd refuses a configuration that group or others may read.
    umask 077
    {
      grep -Ev "^[[:space:]]*($overridden)[[:space:]]*[=:]" "$MAASPROV_ROOT/examples/maasprovd.properties"
      echo
      echo "# ---- scripts/demo: this run's build directory and ports"
      echo "maas.url = http://127.0.0.1:$DEMO_SIM_PORT/MAAS"
      echo "maas.api_key_file = $DEMO_DIR/maas-api-key"
      echo "plugins.directories = $DEMO_BUILD/lib/maasprov/plugins"
      echo "store.path = $DEMO_DIR/maasprov.db"
      echo "api.listen = 127.0.0.1:$port"
      echo "api.token_file = $DEMO_DIR/api-token"
      echo "api.port_file = $DEMO_DIR/api.port"
    } >"$config"
    chmod 600 "$config"  # a file left by an older run keeps its mode through '>'
  )
  echo "==> starting maasprovd with examples/maasprovd.properties (store $DEMO_DIR/maasprov.db)"
  setsid "$DEMO_BIN/maasprovd" --config "$config" </dev/null >"$DEMO_DIR/maasprovd.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$DEMO_DIR/maasprovd.pid"
  DEMO_API_PORT=$(demo_wait_port_file "$DEMO_DIR/api.port" "$pid") ||
    demo_fail "maasprovd did not start"
  local i
  for ((i = 0; i < 100; i++)); do
    curl -fsS "http://127.0.0.1:$DEMO_API_PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || demo_fail "maasprovd exited"
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$DEMO_API_PORT/readyz" >/dev/null 2>&1 ||
    demo_fail "maasprovd is not ready after 10 s"
  echo "    API on http://127.0.0.1:$DEMO_API_PORT, plugins: $(maasprov plugins -o json |
    grep -o '"name" *: *"[^"]*"' | sed 's/.*: *"\(.*\)"/\1/' | paste -sd, -)"
}

demo_print_running() {
  local rel=${DEMO_DIR#"$PWD"/}
  cat <<EOM
The demo is still running: maas-sim on 127.0.0.1:$DEMO_SIM_PORT, maasprovd on 127.0.0.1:$DEMO_API_PORT (logs in $rel/).
Look around:  export MAASPROV_SERVER=http://127.0.0.1:$DEMO_API_PORT MAASPROV_TOKEN_FILE=$DEMO_DIR/api-token
              ${DEMO_BIN#"$PWD"/}/maasprov get mm -o wide    (also: describe mm demo-worker-1, hosts, plugins, --help)
Stop it:      ./scripts/demo --stop
EOM
}
