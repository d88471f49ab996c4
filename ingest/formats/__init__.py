"""Interoperable museum data in: Linked Art, LIDO, EDM, Dublin Core (oai_dc) and IIIF Presentation.

One module per format maps source records onto :class:`rag.models.CollectionRecord`; :mod:`.detect` chooses
the format by content; :mod:`.load` runs them for :func:`ingest.loaders.load_paths`; :mod:`.safe_xml`
parses untrusted XML. Vocabularies (AAT numbers, roles, languages, catalogue labels, LIDO event types) are
data files in ``data/``.
"""
