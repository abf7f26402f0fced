# Postfix from Debian, configured as services/postfix.py configures the Docker-less stack's:
# every message, whatever its recipient, is delivered to the Maildir /var/mail/regsearch/inbox/
# (a copy per recipient, named in Delivered-To); nothing is relayed.
FROM debian:bookworm-slim
RUN echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections \
 && echo "postfix postfix/mailname string localhost" | debconf-set-selections \
 && DEBIAN_FRONTEND=noninteractive apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postfix \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --no-create-home --shell /usr/sbin/nologin regsearch \
 && mkdir -p /var/mail/regsearch && chown regsearch:regsearch /var/mail/regsearch \
 && echo '/^[a-z0-9_-][a-z0-9.-]*$/ OK' > /etc/postfix/regsearch-domains.regexp \
 && postconf -e \
    "inet_interfaces=all" \
    "inet_protocols=ipv4" \
    "mynetworks=127.0.0.0/8 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16" \
    "mydestination=" \
    "relayhost=" \
    "local_transport=error:5.1.1 no local delivery on regsearch's Postfix" \
    "default_transport=error:5.1.1 regsearch's Postfix delivers to local mailboxes only" \
    "virtual_mailbox_domains=regexp:/etc/postfix/regsearch-domains.regexp" \
    "virtual_mailbox_maps=static:inbox/" \
    "virtual_mailbox_base=/var/mail/regsearch" \
    "virtual_uid_maps=static:$(id -u regsearch)" \
    "virtual_gid_maps=static:$(id -g regsearch)" \
    "virtual_minimum_uid=$(id -u regsearch)" \
    "maillog_file=/dev/stdout" \
    "compatibility_level=3.6"
EXPOSE 25
# In a container Postfix listens on all its interfaces; the port is published on
# 127.0.0.1 only (docker-compose.yml). `postfix start-fg` keeps it in the foreground.
CMD ["postfix", "start-fg"]
