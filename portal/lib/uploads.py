from django.conf import settings


def read_capped(upload):
    """An upload's bytes, but never more than one byte past the import limit: the importer then
    reports "too large" without the whole file ever being held in memory."""
    return upload.read(settings.LIFELINE_IMPORT_MAX_BYTES + 1)
