# maasprov %postun ($1: 0 on erase, 1 on upgrade): restart a running service after an upgrade.
# RPM has no purge: the user, /var/lib/maasprov's data and the API token stay (Fedora
# guidelines never remove users); an edited configuration is kept as .rpmsave.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart maasprovd.service >/dev/null 2>&1 || :
    fi
fi
exit 0
