"""The act annotation CamRest676 and WOZ 2.0 share (both collected at Cambridge, Wen et al. 2017).

A slot and its value are a `[slot, value]` pair; an act is `{act, slots}` with its slots as
such pairs (CamRest676's `usr.slu`, WOZ 2.0's `belief_state`).
"""

from __future__ import annotations

import pyarrow as pa

SLOT_PAIRS = pa.list_(pa.list_(pa.string()))
ACTS = pa.list_(pa.struct([pa.field("act", pa.string()), pa.field("slots", SLOT_PAIRS)]))
