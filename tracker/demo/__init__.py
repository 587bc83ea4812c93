"""The demo dataset: the two source documents the tracker was conceived from, in full.

- ``tokyo``: “Diplomatic Efforts Resume As North And South Korea Meet In Tokyo With
  Regional Leaders” (Global Coverage, c. 6 June 2025), the only source on the Tokyo summit.
- ``indonesia``: an unsigned, undated opinion article on Indonesia as a mediator after the
  Russia–North Korea defense agreement, and the five references it lists.

The data is plain Python in ``data``; ``load_demo()`` (``loader``) writes it. Every record is
looked up by its natural key (slugs; (summit, order); (summit, actor); ...), so loading
again updates in place and creates nothing twice.
"""

from .loader import load_demo

__all__ = ["load_demo"]
