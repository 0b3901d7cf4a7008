from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from customers.importer import import_customers


class Command(BaseCommand):
    help = "Import customers from a CRM export (CSV), updating those with the same external_id."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file with at least external_id and name columns")

    def handle(self, *args, file, **options):
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        result = import_customers(raw)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"{file}:{error}")
            raise CommandError(f"{len(result.errors)} problem(s) found; nothing was imported.")
        self.stdout.write(self.style.SUCCESS(f"Imported {result.created} new and updated {result.updated} customers."))
