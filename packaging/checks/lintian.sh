#!/usr/bin/env bash
# lintian on both debs: no error, and every warning tag is justified in packaging/README.md.
. "$(dirname "$0")/lib.sh"
echo "==> lintian"
readme="$MAASPROV_ROOT/packaging/README.md"
status=0
for name in maasprov maasprov-dev; do
  deb=$(package_file deb "$name")
  out=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v "^running with root privileges") || true
  [ -z "$out" ] || sed 's/^/  /' <<<"$out"
  if grep -q '^E: ' <<<"$out"; then
    echo "  FAIL lintian reports errors for $name" >&2
    status=1
  fi
  for tag in $(sed -n 's/^W: [^:]*: \([a-z0-9-]*\).*/\1/p' <<<"$out" | sort -u); do
    if ! grep -qF "\`$tag\`" "$readme"; then
      echo "  FAIL lintian warning $tag ($name) is not justified in packaging/README.md" >&2
      status=1
    fi
  done
done
[ $status -eq 0 ] || exit 1
ok "lintian: no errors; every warning is justified in packaging/README.md"
