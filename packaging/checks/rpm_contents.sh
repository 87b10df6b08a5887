#!/usr/bin/env bash
# What the two rpms hold (rpm -qpl), their config files and requirements (rpm -qpR).
. "$(dirname "$0")/lib.sh"
echo "==> rpm contents and requirements"
rpm_main=$(package_file rpm maasprov)
rpm_dev=$(package_file rpm maasprov-devel)
libdir=lib64
[ "$(getconf LONG_BIT)" = 64 ] || libdir=lib

main_files=$(rpm -qpl "$rpm_main")
expected=(/usr/sbin/maasprovd /usr/lib/systemd/system/maasprovd.service
          /etc/maasprov/maasprovd.properties /var/lib/maasprov
          /usr/share/doc/maasprov/copyright)
for so in $(built_plugins); do
  expected+=("/usr/$libdir/maasprov/plugins/$so")
done
cli_built && expected+=(/usr/bin/maasprov /usr/share/bash-completion/completions/maasprov)
expect_paths "maasprov.rpm" "$main_files" "${expected[@]}"
for shared in /usr/lib/systemd /usr/lib/systemd/system /var/lib /etc /usr/bin /usr/sbin /usr/share/man/man8; do
  ! grep -qxF "$shared" <<<"$main_files" || fail "maasprov.rpm claims the system directory $shared"
done
ok "maasprov.rpm claims no system directory"

expect_paths "maasprov-devel.rpm" "$(rpm -qpl "$rpm_dev")" \
  /usr/include/maasprov/plugin_abi.h /usr/share/cmake/MaasProv/MaasProvConfig.cmake \
  /usr/bin/maasprov-plugin-check /usr/bin/maas-sim \
  /usr/share/doc/maasprov-dev/plugin-authoring.md

[ "$(rpm -qpc "$rpm_main")" = /etc/maasprov/maasprovd.properties ] ||
  fail "maasprov.rpm config files: $(rpm -qpc "$rpm_main")"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpm_main" |
  grep -qx 'cn /etc/maasprov/maasprovd.properties' ||
  fail "/etc/maasprov/maasprovd.properties is not %config(noreplace)"
ok "maasprov.rpm: the configuration is %config(noreplace)"
rpm -qp --qf '[%{FILENAMES} %{FILEUSERNAME} %{FILEMODES:perms}\n]' "$rpm_main" |
  grep -qx '/var/lib/maasprov maasprov drwxr-x---' ||
  fail "/var/lib/maasprov is not owned by maasprov with mode 0750"
ok "maasprov.rpm: /var/lib/maasprov is maasprov's, mode 0750"
rpm -qp --qf '[%{FILENAMES} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEMODES:perms}\n]' "$rpm_main" |
  grep -qx '/etc/maasprov/maasprovd.properties root:maasprov -rw-r-----' ||
  fail "/etc/maasprov/maasprovd.properties is not root:maasprov 0640"
ok "maasprov.rpm: /etc/maasprov/maasprovd.properties is root:maasprov 0640"

config=$(rpm2cpio "$rpm_main" | cpio -i --quiet --to-stdout ./etc/maasprov/maasprovd.properties)
sdk_dir=$(rpm2cpio "$rpm_dev" |
  cpio -i --quiet --to-stdout ./usr/share/cmake/MaasProv/MaasProvConfig.cmake | sdk_plugin_dir)
line=$(expected_plugin_dirs_line "/usr/$libdir/maasprov/plugins" "$sdk_dir")
grep -qxF "$line" <<<"$config" || fail "rpm config: expected '$line'"
ok "rpm config names /usr/$libdir/maasprov/plugins and the SDK's plugin directory $sdk_dir"

requires=$(rpm -qpR "$rpm_main")
for want in 'libPocoFoundation\.so' 'libc\.so\.6' '^shadow-utils$' '^/bin/sh$'; do
  grep -q "$want" <<<"$requires" || fail "maasprov.rpm requirements lack $want: $requires"
done
ok "maasprov.rpm requires shadow-utils, /bin/sh and the libraries it links (autoreq)"
grep -q 'libPocoFoundation\.so' <<<"$(rpm -qpR "$rpm_dev")" ||
  fail "maasprov-devel.rpm requirements lack its libraries"
ok "maasprov-devel.rpm requires the libraries it links (autoreq)"

scripts=$(rpm -qp --scripts "$rpm_main")
for want in 'useradd -r' 'systemctl --no-reload enable' 'systemctl stop' 'try-restart'; do
  grep -qF -- "$want" <<<"$scripts" || fail "maasprov.rpm scriptlets lack '$want'"
done
ok "maasprov.rpm scriptlets create the user, enable, stop and restart the unit"
