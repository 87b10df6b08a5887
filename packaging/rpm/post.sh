# maasprov %post ($1: 1 on install, 2 on upgrade): the API token, and the unit enabled on
# install but not started (it needs the MAAS API key first). No running systemd needed.
# %attr makes the configuration root:maasprov 0640; an edited one an older package left 0644
# is kept by %config(noreplace), so fix it here too (maasprovd refuses it otherwise).
if [ -e /etc/maasprov/maasprovd.properties ]; then
    chown root:maasprov /etc/maasprov/maasprovd.properties
    chmod 0640 /etc/maasprov/maasprovd.properties
fi
if [ ! -e /etc/maasprov/api-token ]; then
    token=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    (umask 077 && printf '%s\n' "$token" >/etc/maasprov/api-token.new) &&
        chown maasprov:maasprov /etc/maasprov/api-token.new &&
        mv /etc/maasprov/api-token.new /etc/maasprov/api-token
fi
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -eq 1 ] && command -v systemctl >/dev/null 2>&1; then
    systemctl --no-reload enable maasprovd.service >/dev/null 2>&1 || :
fi
exit 0
