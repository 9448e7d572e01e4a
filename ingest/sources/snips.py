"""SNIPS in the Goo et al. 2018 split (MiuLab/SlotGated-SLU `data/snips/`).

Layout and parsing are those of `goo_split`: per split folder train/valid/test, the parallel
files `label` (table `examples`), `seq.in` (`tokens`) and `seq.out` (`slot_tags`), one example
per line. Every `seq.out` line ends with a space and some `seq.in` lines have leading or
trailing spaces; lines are kept verbatim.
"""

from __future__ import annotations

from ingest.sources import goo_split

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

TABLES = dict(goo_split.TABLES)
