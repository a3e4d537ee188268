from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

from haven.conf import env_int
from haven.wsgi import application


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type information
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return application


class Command(BaseCommand):
    help = "Serve Haven with gunicorn on 127.0.0.1 (put a TLS-terminating proxy in front in production)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=env_int("HAVEN_PORT", 8000, minimum=1, maximum=65535))
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("HAVEN_WEB_WORKERS", min(4, 2 * (os.cpu_count() or 1)), minimum=1),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Haven listening on http://127.0.0.1:{options['port']}/")
        self.stdout.flush()
        _Gunicorn(
            {
                "bind": f"127.0.0.1:{options['port']}",
                "workers": options["workers"],
                "worker_class": "gthread",
                "threads": 4,
                "timeout": 60,
                "graceful_timeout": 10,
                "accesslog": "-",
                "limit_request_line": 8190,
                "forwarded_allow_ips": "127.0.0.1",
            }
        ).run()
