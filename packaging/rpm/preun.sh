# maasprov %preun ($1: 0 on erase, 1 on upgrade): stop and disable on erase only.
if [ "$1" -eq 0 ]; then
    if [ -d /run/systemd/system ]; then
        systemctl stop maasprovd.service >/dev/null 2>&1 || :
    fi
    if command -v systemctl >/dev/null 2>&1; then
        systemctl --no-reload disable maasprovd.service >/dev/null 2>&1 || :
    fi
fi
exit 0
