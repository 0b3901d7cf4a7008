#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # A bare checkout (no secret, no database configured) is a developer's machine: use the
    # development defaults. Production always sets SECRET_KEY and DATABASE_URL, so this never applies there.
    if not {"SECRET_KEY", "DATABASE_URL"} & set(os.environ):
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
