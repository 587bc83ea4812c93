"""The demo dataset: the two source documents the tracker was conceived from, in full.

- ``tokyo``: “Diplomatic Efforts Resume As North And South Korea Meet In Tokyo With
  Regional Leaders” (Global Coverage, c. 6 June 2025), the only source on the Tokyo summit.
- ``indonesia``: an unsigned, undated opinion article on Indonesia as a mediator after the
  Russia–North Korea defense agreement, and the five references it lists.

and, beside them, the record they point at: the 1953 armistice and the 2018–2019 Korean
summits, each commitment's history traced through 2024 from the reporting.

The data is TOML in ``records/`` (one file per subject; its README gives the format),
checked by ``records.reader``; ``load_demo()`` (``loader``) writes it. Every record is
looked up by its natural key (slugs; (summit, order); (summit, actor); ...), so loading
again updates in place and creates nothing twice.
"""

from .loader import load_demo

__all__ = ["load_demo"]
