# Shared by the project's scripts: install the Debian 12 packages the build needs, once.
# Sourced, not run. Idempotent: only missing packages reach apt-get.

MAASPROV_BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libpoco-dev libboost-filesystem-dev libboost-dev libspdlog-dev libyaml-cpp-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl openssl procps
)

# Only for ./scripts/fuzz (and the fuzz smoke of ./scripts/test): libFuzzer comes with clang.
MAASPROV_FUZZ_PACKAGES=(clang libclang-rt-14-dev)

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

# The build that tests and the demo use: unoptimised with line tables, because compiling at -O2
# with full debug info takes more than twice as long on a 2-core machine and the tests are bound
# by I/O, not by the speed of our code. Packages and benchmarks build optimised in their own trees.
MAASPROV_DEV_CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1" "-DCMAKE_C_FLAGS_DEBUG=-O0 -g1")

# configure_and_build BUILD_DIR [CMAKE_ARGS...]: configure, then build everything. Without a
# -DCMAKE_BUILD_TYPE among CMAKE_ARGS the tree gets the development flags above.
configure_and_build() {
  local dir=$1
  shift
  install_packages "${MAASPROV_BUILD_PACKAGES[@]}"
  local args=("$@")
  case " ${args[*]-} " in
    *" -DCMAKE_BUILD_TYPE="*) ;;
    *) args=("${MAASPROV_DEV_CMAKE_ARGS[@]}" "${args[@]}") ;;
  esac
  cmake -S "$MAASPROV_ROOT" -B "$dir" "${args[@]}" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
