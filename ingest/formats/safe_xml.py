"""Parse untrusted XML safely: no entity expansion, no network, no DTD loading, no huge trees.

A document that declares entities (the "billion laughs" bomb and external-entity attacks both need a
declaration) is refused with :class:`UnsafeXMLError` before any entity is used.

Example::

    root = parse_xml(path.read_bytes(), name=str(path))
"""

from __future__ import annotations

import re

from lxml import etree

XML_NS = "http://www.w3.org/XML/1998/namespace"


class UnsafeXMLError(ValueError):
    """The document declares entities or a DTD subset that could expand: refused."""


class MalformedXMLError(ValueError):
    """The document is not well-formed XML."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False,
        remove_comments=True, remove_pis=True,
    )


_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*\[(.*?)\]\s*>", re.DOTALL)
_ENTITY_MESSAGE = ("the XML declares entities in its DTD (<!ENTITY ...>); refused, as entity expansion can exhaust "
                   "memory (an 'XML bomb') or read local files. Export the records without a DTD.")


def parse_xml(data: bytes, name: str = "document") -> etree._Element:
    """The root element of ``data``; raises :class:`UnsafeXMLError` or :class:`MalformedXMLError`."""
    doctype = _DOCTYPE.search(data[: data.find(b"]>", 0, 1_000_000) + 2 or 4096])
    if doctype is not None and b"<!ENTITY" in doctype.group(1):
        raise UnsafeXMLError(f"{name}: {_ENTITY_MESSAGE}")
    try:
        tree = etree.fromstring(data, parser=_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if "entit" in message.lower() and ("loop" in message.lower() or "amplification" in message.lower()):
            raise UnsafeXMLError(f"{name}: XML entity expansion refused (an 'XML bomb'): {message}") from exc
        raise MalformedXMLError(f"{name}: not well-formed XML: {message}") from exc
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnsafeXMLError(f"{name}: {_ENTITY_MESSAGE}")
    return tree.getroot()


def lang_of(element: etree._Element) -> str | None:
    """The ``xml:lang`` in force on an element (its own or the nearest ancestor's)."""
    node: etree._Element | None = element
    while node is not None:
        value = node.get(f"{{{XML_NS}}}lang")
        if value:
            return value
        node = node.getparent()
    return None


def text_of(element: etree._Element | None) -> str | None:
    """All text inside an element, white space as given (callers clean it)."""
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def namespace(element: etree._Element) -> str | None:
    return etree.QName(element).namespace if isinstance(element.tag, str) else None
