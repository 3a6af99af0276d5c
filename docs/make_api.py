"""Write docs/api.md, the API reference, from the docstrings of every name gankmeans.__all__ lists."""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "api.md"
WIDTH = 100  # a longer signature gets one parameter per line

HEADER = """# API reference

<!-- Generated from the docstrings by `python docs/make_api.py`: edit the docstrings, then run it.
tests/test_api_docs.py fails when this file is stale. -->

Everything `gankmeans.__all__` lists, in that order, documented by its own docstring.
"""


class _Plain:
    """An annotation shown as written: ``int | None``, not ``'int | None'`` (the modules use
    ``from __future__ import annotations``, so annotations are strings)."""

    def __init__(self, annotation):
        self.text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)

    def __repr__(self):
        return self.text


def render() -> str:
    """The whole of docs/api.md for the gankmeans that is imported."""
    import gankmeans

    names = list(gankmeans.__all__)
    contents = [f"- [`{name}`](#{_anchor('gankmeans.' + name)})" for name in names]
    sections = [_section(f"gankmeans.{name}", getattr(gankmeans, name)) for name in names]
    text = "\n".join([HEADER, *contents, "", *sections])
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"  # docstrings end paragraphs with a blank line too


def _anchor(heading: str) -> str:
    # GitHub's rule: lower case, punctuation other than - and _ dropped, spaces to dashes.
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _section(title: str, obj) -> str:
    if inspect.ismodule(obj):
        parts = [f"## {title}", "", _markdown(_doc(obj, title))]
        constants = [(name, value) for name, value in _module_members(obj) if _is_constant(name, value)]
        if constants:
            parts += ["", "Constants:", ""] + [f"- `{name} = {_value(value)}`" for name, value in constants]
        for name, member in _module_members(obj):
            if not _is_constant(name, member):
                parts += ["", _entry(f"{obj.__name__.split('.')[-1]}.{name}", member, "###")]
        return "\n".join(parts) + "\n"
    return _entry(title, obj, "##") + "\n"


def _entry(title: str, obj, level: str) -> str:
    """A class or function: heading, signature, docstring, then a class's own public methods."""
    kind = "class" if inspect.isclass(obj) else "def"
    short = title.split(".")[-1]
    parts = [f"{level} {title}", "", "```python", _signature(f"{kind} {short}", obj), "```", "",
             _markdown(_doc(obj, title))]
    if inspect.isclass(obj):
        for name, member in _class_members(obj):
            parts += ["", f"{level}# {short}.{name}", ""]
            if isinstance(member, property):
                parts += ["*property*", "", _markdown(_doc(member, f"{title}.{name}"))]
                continue
            signature = _signature(f"def {name}", getattr(obj, name), drop_self=inspect.isfunction(member))
            parts += ["```python", signature, "```", "", _markdown(_doc(member, f"{title}.{name}"))]
    return "\n".join(parts)


def _doc(obj, title: str) -> str:
    doc = obj.__doc__ if inspect.ismodule(obj) or isinstance(obj, property) else inspect.getdoc(obj)
    if not doc or not doc.strip():
        raise ValueError(f"{title} has no docstring: every public name needs one for docs/api.md")
    return inspect.cleandoc(doc)


def _module_members(module) -> list[tuple[str, object]]:
    """Public names a module defines or re-exports from the package, in the order it binds them."""
    members = []
    for name, value in vars(module).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        home = getattr(value, "__module__", None) if (inspect.isclass(value) or callable(value)) else None
        if _is_constant(name, value) or (home or "").startswith("gankmeans"):
            members.append((name, value))
    return members


def _value(value) -> str:
    # A set's repr follows string hashing, which changes from run to run: sort it.
    if isinstance(value, set | frozenset):
        return f"{type(value).__name__}({{{', '.join(map(repr, sorted(value)))}}})"
    return repr(value)


def _is_constant(name: str, value) -> bool:
    return name.isupper() and not callable(value) and not inspect.ismodule(value)


def _class_members(cls) -> list[tuple[str, object]]:
    """The class's own public methods and properties (not those it inherits)."""
    members = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, classmethod | staticmethod):
            value = value.__func__
        if inspect.isfunction(value) or isinstance(value, property):
            members.append((name, value))
    return members


def _signature(prefix: str, obj, drop_self: bool = False) -> str:
    try:
        signature = inspect.signature(obj)
    except ValueError:  # an exception class: what it derives from says more than its arguments
        return f"{prefix}({', '.join(base.__name__ for base in obj.__bases__)})"
    parameters = list(signature.parameters.values())[1 if drop_self else 0:]
    texts, previous = [], None
    for parameter in parameters:
        if previous == parameter.POSITIONAL_ONLY and parameter.kind != previous:
            texts.append("/")
        if parameter.kind == parameter.KEYWORD_ONLY and previous not in (parameter.KEYWORD_ONLY,
                                                                         parameter.VAR_POSITIONAL):
            texts.append("*")
        if parameter.annotation is not parameter.empty:
            parameter = parameter.replace(annotation=_Plain(parameter.annotation))
        texts.append(str(parameter))
        previous = parameter.kind
    returns = signature.return_annotation
    arrow = "" if returns is signature.empty or inspect.isclass(obj) else f" -> {_Plain(returns)!r}"
    line = f"{prefix}({', '.join(texts)}){arrow}"
    if len(line) <= WIDTH:
        return line
    return f"{prefix}(\n" + "".join(f"    {text},\n" for text in texts) + f"){arrow}"


SECTION_RULE = re.compile(r"^-{3,}$")


def _markdown(doc: str) -> str:
    """numpydoc to Markdown: sections in bold, each ``name : type`` entry a bullet with its text."""
    lines, out, entry, in_section = doc.splitlines(), [], None, False
    for i, line in enumerate(lines):
        if SECTION_RULE.match(line.strip()):
            continue
        if i + 1 < len(lines) and line.strip() and SECTION_RULE.match(lines[i + 1].strip()):
            out += _flush(entry) + ["", f"**{line.strip()}**", ""]
            entry, in_section = None, True
        elif in_section and line and not line.startswith(" "):
            out += _flush(entry)
            name, colon, kind = line.partition(" : ")
            entry = [f"`{name}` ({kind})" if colon else f"`{name}`" if _is_identifier(name) else name]
        elif in_section and line.strip() and entry is not None:
            entry.append(line.strip())
        else:
            out += _flush(entry) + [line]
            entry = None
    text = "\n".join(out + _flush(entry)).strip()
    text = re.sub(r":(?:class|func|meth|attr|mod):`~?([^`]+)`", r"`\1`", text)
    return re.sub(r"``(.+?)``", r"`\1`", text)


def _is_identifier(text: str) -> bool:
    return all(part.strip().isidentifier() for part in text.split(","))


def _flush(entry) -> list[str]:
    if not entry:
        return []
    head, *description = entry
    return [f"- {head}" + (f": {' '.join(description)}" if description else "")]


def main() -> int:
    sys.path.insert(0, str(ROOT))  # this checkout's gankmeans, even where another is installed
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
