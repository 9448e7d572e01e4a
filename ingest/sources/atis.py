"""ATIS in the Goo et al. 2018 split (MiuLab/SlotGated-SLU `data/atis/`).

Layout and parsing are those of `goo_split`: per split folder train/valid/test, the parallel
files `label` (table `examples`), `seq.in` (`tokens`) and `seq.out` (`slot_tags`), one example
per line. Tokens are lower-cased; labels are prefixed `atis_` and multi-intent labels are
joined with `#` (`atis_flight#atis_airfare`), kept as upstream writes them.
"""

from __future__ import annotations

from ingest.sources import goo_split

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

TABLES = dict(goo_split.TABLES)
