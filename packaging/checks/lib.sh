# Shared by the package checks (sourced). Each check prints one "ok" line per assertion and
# stops at the first failure with a "FAIL" line saying what was expected and what was found.
set -euo pipefail
: "${MAASPROV_ROOT:?}" "${MAASPROV_BUILD_DIR:?}" "${MAASPROV_PACKAGES:?}"

ok() { echo "  ok   $*"; }
fail() { echo "  FAIL $*" >&2; exit 1; }

# The one package file of a kind: deb NAME or rpm NAME.
package_file() {
  local kind=$1 name=$2 f
  for f in "$MAASPROV_PACKAGES"/*."$kind"; do
    if [ "$kind" = deb ]; then
      [ "$(dpkg-deb -f "$f" Package)" = "$name" ] && { echo "$f"; return; }
    else
      [ "$(rpm -qp --qf '%{NAME}' "$f" 2>/dev/null)" = "$name" ] && { echo "$f"; return; }
    fi
  done
  fail "no $kind package named $name in $MAASPROV_PACKAGES"
}

# expect_paths WHAT LISTING PATH...: every PATH is a line of LISTING.
expect_paths() {
  local what=$1 listing=$2 p
  shift 2
  for p in "$@"; do
    grep -qxF -- "$p" <<<"$listing" || fail "$what: expected $p, not found"
  done
  ok "$what: $# expected paths present"
}

# The project version, from the build tree's CMake cache (PROJECT_VERSION of the top project).
project_version() {
  sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$MAASPROV_BUILD_DIR/CMakeCache.txt"
}

# True when the build tree has the CLI (framework/cli builds the target "maasprov").
cli_built() { [ -x "$MAASPROV_BUILD_DIR/bin/maasprov" ]; }

multiarch() { dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null; }

# The in-tree plugins this build tree built (lxd may not exist in every tree).
built_plugins() {
  local p
  for p in baremetal dns lxd; do
    [ -f "$MAASPROV_BUILD_DIR/lib/maasprov/plugins/$p.so" ] && echo "$p.so"
  done
  return 0
}

# The plugin directory a packaged SDK's MaasProvConfig.cmake (on stdin) installs plugins to.
sdk_plugin_dir() { sed -n 's/^set(MAASPROV_DEFAULT_PLUGIN_DIR "\(.*\)")$/\1/p'; }

# The plugins.directories line a packaged config must have: the package's plugin directory,
# then (unless the same) the SDK's, where third-party plugins are installed.
expected_plugin_dirs_line() {
  local pkg=$1 sdk=$2
  [ -n "$sdk" ] || fail "the packaged MaasProvConfig.cmake names no MAASPROV_DEFAULT_PLUGIN_DIR"
  if [ "$pkg" = "$sdk" ]; then
    echo "plugins.directories = $pkg"
  else
    echo "plugins.directories = $pkg, $sdk"
  fi
}
