from django.utils.translation import pgettext


def list_separator():
    """What goes between the items of a list in the active language (Arabic and Persian write "، ")."""
    return pgettext("list separator", ", ")


def join_list(items):
    """Plain-text items joined with the active language's list separator."""
    return list_separator().join(str(item) for item in items)
