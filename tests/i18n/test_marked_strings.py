"""Every user-facing string is marked for translation, in templates and in Python."""

import ast
import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = ROOT / "templates"
APPS = ["portal", "customers", "stories", "decisions", "meetings", "digests", "insights"]

# Text that needs no translation: punctuation, numbers, symbols, entities.
NEUTRAL = re.compile(r"^[\W\d_]*$", re.UNICODE)
ENTITY = re.compile(r"&[a-zA-Z]+;|&#\d+;|&#x[0-9a-fA-F]+;")
TAG = re.compile(r"<[^>]*>", re.DOTALL)
USER_FACING_ATTRS = re.compile(r'\b(?:title|alt|placeholder|aria-label|aria-description|label)\s*=\s*"([^"]*)"')
# Literal words that are not language (brand, code, formats).
ALLOWED_WORDS = {"Lifeline", "CSV", "ICS", "RSS", "Atom", "UTC", "FORD", "Markdown", "htmx", "Lifeline:"}
# Templates whose text is deliberately not translated.
SKIP = {"500.html"}  # must render with nothing working, not even translation catalogs


def template_files():
    return sorted(p for p in TEMPLATE_DIR.rglob("*") if p.suffix in {".html", ".txt"} and p.name not in SKIP)


def leftover_words(text):
    words = []
    for word in ENTITY.sub(" ", text).split():
        if "\x01" in word:  # glued to a variable or tag: a URL or an identifier being built
            continue
        if NEUTRAL.match(word) or word.strip(".,:;()") in ALLOWED_WORDS:
            continue
        words.append(word)
    return words


def skeleton(source):
    """The template with every tag, variable and translated block replaced by a placeholder
    (newlines kept, so positions still give line numbers)."""
    parts, depth = [], 0
    for token in Lexer(source).tokenize():
        contents = token.contents
        if token.token_type == TokenType.BLOCK:
            name = contents.split()[0] if contents else ""
            depth += name in {"blocktranslate", "blocktrans", "comment"}
            depth -= name in {"endblocktranslate", "endblocktrans", "endcomment"}
            parts.append("\x01")
        elif token.token_type == TokenType.TEXT and not depth:
            parts.append(contents)
        else:
            parts.append("\x01" + "\n" * contents.count("\n"))
    return "".join(parts)


def unmarked_in_template(path):
    text = skeleton(path.read_text())
    problems = []

    def report(match_start, words):
        problems.append((text.count("\n", 0, match_start) + 1, " ".join(words)[:80]))

    if path.suffix == ".html":
        text = re.sub(r"<(script|style)\b.*?</\1>", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
        for match in USER_FACING_ATTRS.finditer(text):
            if words := leftover_words(match.group(1)):
                report(match.start(), words)
        text = TAG.sub(lambda m: "\n" * m.group().count("\n"), text)
    for match in re.finditer(r"[^\n]+", text):
        if words := leftover_words(match.group()):
            report(match.start(), words)
    return problems


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATE_DIR)))
def test_template_text_is_marked_for_translation(path):
    assert unmarked_in_template(path) == []


# Python: literal strings handed to the user must go through gettext.
USER_FACING_KWARGS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label", "title", "description"}
MESSAGE_CALLS = {"success", "error", "warning", "info", "add_message"}  # on django.contrib.messages
USER_FACING_CALLS = {"ValidationError", "PermissionDenied", "add_error", "Http404"}
TRANSLATORS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "format_lazy"}


def python_files():
    for app in APPS:
        folder = ROOT / app
        if folder.exists():
            # Demo content is data, like a customer's name: it is not translated.
            yield from sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts and p.name != "demo.py")


def is_plain_text(node):
    return isinstance(node, (ast.Constant, ast.JoinedStr)) and (
        isinstance(node, ast.JoinedStr) or (isinstance(node.value, str) and leftover_words(node.value))
    )


def unmarked_in_python(path):
    tree = ast.parse(path.read_text())
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in TRANSLATORS:
            continue
        for keyword in node.keywords:
            if keyword.arg in USER_FACING_KWARGS and is_plain_text(keyword.value):
                problems.append((node.lineno, f"{name}({keyword.arg}=…)"))
        on_messages = isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "messages"
        if name in USER_FACING_CALLS or (on_messages and name in MESSAGE_CALLS):
            # The message is the first argument, after the field name for add_error, after the request for messages.
            position = 1 if name == "add_error" or on_messages else 0
            if len(node.args) > position and is_plain_text(node.args[position]):
                problems.append((node.lineno, f"{name}(…)"))
    return problems


@pytest.mark.parametrize("path", list(python_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_python_messages_are_marked_for_translation(path):
    assert unmarked_in_python(path) == []


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
                 "npgettext", "npgettext_lazy"}


def unextractable_messages(path):
    """Translation calls that `makemessages` (xgettext) cannot see: inside an f-string, or whose
    message is not a string literal. Their text would silently vanish from the catalogs."""
    tree = ast.parse(path.read_text(), filename=str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and getattr(inner.func, "id", None) in GETTEXT_NAMES:
                    problems.append((inner.lineno, "translation call inside an f-string"))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in GETTEXT_NAMES:
            first = 1 if node.func.id.startswith(("pgettext", "npgettext")) else 0
            wanted = 2 if "ngettext" in node.func.id else 1
            literal = all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                          for a in node.args[first:first + wanted])
            if len(node.args) < first + wanted or not literal:
                problems.append((node.lineno, f"{node.func.id}() with a message that is not a string literal"))
    return problems


@pytest.mark.parametrize("path", list(python_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_translation_call_can_be_extracted(path):
    assert unextractable_messages(path) == []
