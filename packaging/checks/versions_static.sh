#!/usr/bin/env bash
# The version in every package's metadata, the Debian changelog's top entry and the SDK's
# CMake package version file are all PROJECT_VERSION.
. "$(dirname "$0")/lib.sh"
echo "==> versions (metadata)"
want=$(project_version)
[ -n "$want" ] || fail "no CMAKE_PROJECT_VERSION in $MAASPROV_BUILD_DIR/CMakeCache.txt"
for name in maasprov maasprov-dev; do
  got=$(dpkg-deb -f "$(package_file deb $name)" Version)
  [ "$got" = "$want" ] || fail "deb $name: Version $got, expected $want"
done
for name in maasprov maasprov-devel; do
  got=$(rpm -qp --qf '%{VERSION}' "$(package_file rpm $name)")
  [ "$got" = "$want" ] || fail "rpm $name: VERSION $got, expected $want"
done
got=$(sed -n '1s/^maasprov (\([^)]*\)).*/\1/p' "$MAASPROV_ROOT/packaging/changelog")
[ "$got" = "$want" ] || fail "packaging/changelog: top entry is $got, expected $want (add an entry)"
ok "deb, rpm and changelog versions are $want"
