#!/usr/bin/env bash
# A plugin author's path: build the packaged example plugin with find_package(MaasProv) from
# the installed maasprov-dev only, and pass maasprov-plugin-check against the installed maas-sim.
. "$(dirname "$0")/lib.sh"
work=${MAASPROV_CHECK_WORK:?}
sim_port=$(cat "$work/sim.port")

cp -r /usr/share/doc/maasprov-dev/examples "$work/example"
cmake -S "$work/example" -B "$work/example-build" >"$work/example-cmake.log" 2>&1 ||
  { cat "$work/example-cmake.log" >&2; fail "configuring the example against the installed SDK"; }
grep -qx 'MaasProv_DIR:PATH=/usr/share/cmake/MaasProv' "$work/example-build/CMakeCache.txt" ||
  fail "find_package(MaasProv) did not use /usr/share/cmake/MaasProv"
cmake --build "$work/example-build" -j2 >"$work/example-build.log" 2>&1 ||
  { cat "$work/example-build.log" >&2; fail "building the example against the installed SDK"; }
plugin=$(find "$work/example-build" -maxdepth 2 -name '*.so' | head -n1)
[ -n "$plugin" ] || fail "the example build made no .so"
ok "example plugin built with find_package(MaasProv) from /usr/share/cmake: $(basename "$plugin")"

if ! out=$(/usr/bin/maasprov-plugin-check "$plugin" --maas-url "http://127.0.0.1:$sim_port/MAAS" \
             --maas-key "$(cat "$work/maas-key")" 2>&1); then
  sed 's/^/  /' <<<"$out" >&2
  fail "maasprov-plugin-check on the example plugin"
fi
grep -q '^PASS.*reconcile-valid' <<<"$out" || { echo "$out" >&2; fail "reconcile-valid did not PASS"; }
! grep -q '^SKIP.*needs a MAAS' <<<"$out" || fail "plugin-check skipped MAAS scenarios"
ok "maasprov-plugin-check passes on it against the installed maas-sim ($(grep -c '^PASS' <<<"$out") scenarios)"
