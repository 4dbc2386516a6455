"""nginx in front of the site, caching what the app marks public: the
configuration docs/deployment.md shows (keep them alike), written for a child
process that listens on a free port, keeps everything in one folder, and
serves plain HTTP."""

from __future__ import annotations

import os
from pathlib import Path

# The `location /` of docs/deployment.md.
LOCATION = """
        proxy_pass http://meetup;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;

        proxy_cache meetup;
        proxy_cache_revalidate on;
        proxy_cache_lock on;
        proxy_cache_background_update on;
        proxy_cache_use_stale updating error timeout http_502 http_503 http_504;
        proxy_cache_bypass $cookie_meetup_session$cookie_meetup_answers$cookie_meetup_touch;
        proxy_no_cache $cookie_meetup_session$cookie_meetup_answers$cookie_meetup_touch;
        add_header X-Cache $upstream_cache_status always;
"""


def nginx_conf(folder: Path, port: int, upstream: str) -> str:
    # Run as root, nginx would hand its workers to `nobody`, who cannot
    # write this private folder.
    user = "user root;" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}
    proxy_cache_path {folder}/cache levels=1:2 keys_zone=meetup:10m max_size=1g inactive=1h use_temp_path=off;
    upstream meetup {{
        server {upstream};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{{LOCATION}        }}
    }}
}}
"""
