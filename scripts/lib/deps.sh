# Shared by the project's scripts: install the Debian 12 packages the build needs, once.
# Sourced, not run. Idempotent: only missing packages reach apt-get.

MAASPROV_BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libpoco-dev libboost-filesystem-dev libboost-dev libspdlog-dev libyaml-cpp-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl openssl procps
)

# install_packages PKG...: apt-get install whatever of PKG... is not installed yet.
install_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing missing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# configure_and_build BUILD_DIR [CMAKE_ARGS...]: configure once, then build everything.
configure_and_build() {
  local dir=$1
  shift
  install_packages "${MAASPROV_BUILD_PACKAGES[@]}"
  cmake -S "$MAASPROV_ROOT" -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
