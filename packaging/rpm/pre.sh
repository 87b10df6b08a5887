# maasprov %pre: the service user and group (before the files, so %attr can name them).
getent group maasprov >/dev/null || groupadd -r maasprov
getent passwd maasprov >/dev/null || \
    useradd -r -g maasprov -d /var/lib/maasprov -s /sbin/nologin \
        -c "maasprov provisioning controller" maasprov
exit 0
