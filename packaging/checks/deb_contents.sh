#!/usr/bin/env bash
# What the two debs hold, their conffiles, dependencies and the packaged configuration.
. "$(dirname "$0")/lib.sh"
echo "==> deb contents"
ma=$(multiarch)
deb=$(package_file deb maasprov)
dev=$(package_file deb maasprov-dev)
listing() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $6}' | sed 's#^\./#/#'; }  # files and links
main_files=$(listing "$deb")
dev_files=$(listing "$dev")

expected=(/usr/sbin/maasprovd /lib/systemd/system/maasprovd.service
          /etc/maasprov/maasprovd.properties
          /usr/share/doc/maasprov/copyright /usr/share/doc/maasprov/changelog.gz
          /usr/share/man/man8/maasprovd.8.gz)
for so in $(built_plugins); do
  expected+=("/usr/lib/$ma/maasprov/plugins/$so")
done
cli_built && expected+=(/usr/bin/maasprov /usr/share/bash-completion/completions/maasprov
                        /usr/share/man/man1/maasprov.1.gz)
expect_paths "maasprov.deb" "$main_files" "${expected[@]}"
[ "$(grep -c '/maasprov/plugins/.*\.so$' <<<"$main_files")" -ge 3 ] ||
  fail "maasprov.deb: expected at least the 3 in-tree plugins, found: $(grep '\.so$' <<<"$main_files")"
cli_built || echo "  note the CLI is not built in this tree: /usr/bin/maasprov not expected"

expect_paths "maasprov-dev.deb" "$dev_files" \
  /usr/include/maasprov/plugin_abi.h \
  /usr/share/cmake/MaasProv/MaasProvConfig.cmake \
  /usr/share/cmake/MaasProv/MaasProvConfigVersion.cmake \
  /usr/share/cmake/MaasProv/MaasProvTargets.cmake \
  /usr/share/cmake/MaasProv/MaasProvPlugin.cmake \
  /usr/bin/maasprov-plugin-check /usr/bin/maas-sim \
  /usr/share/man/man1/maasprov-plugin-check.1.gz /usr/share/man/man1/maas-sim.1.gz \
  /usr/share/doc/maasprov-dev/plugin-authoring.md \
  /usr/share/doc/maasprov-dev/examples/CMakeLists.txt \
  /usr/share/doc/maasprov-dev/copyright /usr/share/doc/maasprov-dev/changelog.gz

both=$(comm -12 <(sort <<<"$main_files") <(sort <<<"$dev_files"))
[ -z "$both" ] || fail "files in both packages: $both"
ok "no file is in both packages"

conffiles=$(dpkg-deb -I "$deb" conffiles)
[ "$conffiles" = "/etc/maasprov/maasprovd.properties" ] ||
  fail "maasprov.deb conffiles: expected /etc/maasprov/maasprovd.properties, got '$conffiles'"
ok "maasprov.deb: /etc/maasprov/maasprovd.properties is a conffile"
# Not world-readable even before postinst gives it group maasprov.
mode=$(dpkg-deb -c "$deb" | awk '$6 == "./etc/maasprov/maasprovd.properties" {print $1, $2}')
[ "$mode" = "-rw-r----- root/root" ] ||
  fail "maasprov.deb: /etc/maasprov/maasprovd.properties is '$mode', expected '-rw-r----- root/root'"
ok "maasprov.deb: /etc/maasprov/maasprovd.properties is shipped 0640"

config=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./etc/maasprov/maasprovd.properties)
sdk_dir=$(dpkg-deb --fsys-tarfile "$dev" | tar -xO ./usr/share/cmake/MaasProv/MaasProvConfig.cmake |
  sdk_plugin_dir)
line=$(expected_plugin_dirs_line "/usr/lib/$ma/maasprov/plugins" "$sdk_dir")
grep -qxF "$line" <<<"$config" ||
  fail "packaged config: expected '$line' (the packaged plugins, then the SDK's install directory)"
ok "packaged config names /usr/lib/$ma/maasprov/plugins and the SDK's plugin directory $sdk_dir"

for pair in "$deb:adduser libc6 libpoco" "$dev:libc6 libpoco"; do
  file=${pair%%:*}
  depends=$(dpkg-deb -f "$file" Depends)
  for want in ${pair#*:}; do
    grep -q "\(^\|, \)$want" <<<"$depends" || fail "$(basename "$file"): Depends lacks $want: $depends"
  done
done
ok "Depends come from shlibdeps (libc6, libpoco*) plus adduser for maasprov"

for script in postinst prerm postrm; do
  dpkg-deb -I "$deb" "$script" >/dev/null || fail "maasprov.deb has no $script"
done
ok "maasprov.deb has postinst, prerm and postrm"
