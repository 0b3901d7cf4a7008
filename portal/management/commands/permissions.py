from django.core.management.base import BaseCommand

from portal.permissions import RELATIONS, ROLES, matrix


class Command(BaseCommand):
    help = "Print the permission matrix (roles × actions) from portal.permissions, as a Markdown table."

    def handle(self, *args, **options):
        self.stdout.write("| action | " + " | ".join(ROLES) + " |")
        self.stdout.write("| --- |" + " --- |" * len(ROLES))
        for action, cells, rule in matrix():
            row = [cells[role] or "–" for role in ROLES]
            note = f" ({', '.join(rule.requires)} too)" if rule.requires else ""
            self.stdout.write(f"| `{action}`{note} | " + " | ".join(row) + " |")
        self.stdout.write("\nRelations: " + "; ".join(f"{name}: {text}" for name, (text, _test) in RELATIONS.items()))
