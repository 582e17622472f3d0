#!/bin/sh
# $CATALINA_BASE/bin/setenv.sh - read by catalina.sh on every start.

# Which configuration file Switchboard loads. The environment variable wins over the system property;
# set one of them. ${NAME} references inside the file are filled from this process's environment.
SWITCHBOARD_CONFIG=/etc/switchboard/switchboard.json
export SWITCHBOARD_CONFIG
# or: CATALINA_OPTS="$CATALINA_OPTS -Dswitchboard.config=/etc/switchboard/switchboard.json"

# Vendor tokens referenced from the config as ${OPENAI_API_KEY}; keep them out of the config file.
# Better: have systemd (EnvironmentFile=) or your secret store provide them instead of this file.
# export OPENAI_API_KEY=...

# Every proxied stream holds two sockets (client and upstream), so the open-file limit caps concurrent streams
# at about half of it. Raise the soft limit to the hard limit; raising the hard limit is the OS's job
# (systemd LimitNOFILE=, /etc/security/limits.conf).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
