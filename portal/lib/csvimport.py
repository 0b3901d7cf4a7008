"""What the CSV importers (customers, customer pulse) report: all or nothing, every bad row by line."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self):
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors
