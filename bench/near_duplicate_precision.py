"""The precision sample behind the default near-duplicate threshold (near_duplicate_threshold).

    python bench/near_duplicate_precision.py                     # precision from the labels
    python bench/near_duplicate_precision.py --draw DATA_DIR     # draw the sample again

bench/near_duplicate_precision.csv holds a stratified sample of near-duplicate candidates of
the mirror, each labelled by hand:

- `same`: the same utterance up to edits that leave what is said unchanged (case,
  punctuation, contractions, a filler, greeting or politeness word, a word added or dropped
  that changes nothing asked, a synonym, clauses swapped);
- `template`: the same sentence with one slot value swapped for another (a city, a date, a
  price, a film, an object): not the same text, but the same template, which an intent
  classifier trained on one has in effect seen;
- `different`: something else is said or asked (a question or a detail added or dropped).

The default run prints, per stratum and Jaccard band, how many pairs are `same` and how many
`same` or `template`, then the same two precisions for the pairs at or above each candidate
threshold.

--draw runs the project's own detector models (compiled like bench/near_duplicates_mirror.py)
on the texts of DATA_DIR/warehouse.duckdb with a threshold of 0.6 (and 40 bands of 4 rows, so
that pairs down to 0.6 are found), and prints a new sample: per stratum (two intent examples of
one dataset; a downstream validation/test example and a pre-training utterance; two
pre-training utterances) and band ([0.6, 0.7), [0.7, 0.8), [0.8, 0.9), [0.9, 1]) the first
--per-cell pairs in a fixed hash order, as CSV rows with an empty label, to label by hand.
Pairs of one normal form (equal up to case and punctuation) are not sampled: they are always
the same text.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.near_duplicates_mirror import (  # noqa: E402
    CATALOG,
    CHILD_CONNECTION,
    INTERMEDIATES,
    compile_models,
)

LABELS = REPO_ROOT / "bench" / "near_duplicate_precision.csv"
BANDS = ((0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))
STRATA = ("intent_intent", "pretrain_evaluation", "pretrain_pretrain")
DRAW_VARS = {
    "near_duplicate_threshold": 0.6,
    "decontamination_threshold": 0.6,
    "near_duplicate_bands": 40,
    "near_duplicate_rows": 4,
}


def band_of(jaccard: float) -> str:
    for low, high in BANDS:
        if low <= jaccard < high:
            return f"{low:.1f}-{min(high, 1.0):.1f}"
    return "below"


def report(path: Path) -> None:
    """Precision per band and stratum, and at or above each candidate threshold."""
    with path.open(encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row["label"]]
    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        cells[(row["stratum"], band_of(float(row["jaccard"])))].append(row["label"])
    bands = [band_of(low) for low, _ in BANDS]

    def shares(labels: list[str]) -> str:
        same = labels.count("same")
        template = labels.count("template")
        return f"{same}|{same + template}/{len(labels)}" if labels else "-"

    print(f"{len(rows)} labelled pairs ({path.relative_to(REPO_ROOT)})")
    print("per cell: same | same or template / pairs")
    print(f"{'stratum':<22}" + "".join(f"{band:>14}" for band in bands))
    for stratum in (*STRATA, "all"):
        line = f"{stratum:<22}"
        for band in bands:
            labels = [
                label
                for (row_stratum, row_band), values in cells.items()
                for label in values
                if row_band == band and stratum in (row_stratum, "all")
            ]
            line += f"{shares(labels):>14}"
        print(line)
    print("pairs at or above a threshold: same, same or template")
    for threshold, _ in BANDS:
        labels = [
            label
            for (_, row_band), values in cells.items()
            for label in values
            if row_band in bands[bands.index(band_of(threshold)) :]
        ]
        same = labels.count("same") / len(labels)
        lenient = (labels.count("same") + labels.count("template")) / len(labels)
        print(f"  >= {threshold:.1f}: {same:4.0%}, {lenient:4.0%} of {len(labels)} pairs")


# The child: the detector up to the verified pairs, then the stratified sample.
CHILD = (
    CHILD_CONNECTION
    + r"""
connection.execute("set memory_limit = '1GB'")
connection.execute("set preserve_insertion_order = false")
connection.execute(
    "create table staged.intermediate.int_utterances_unioned as "
    "select * from source_staged.intermediate.int_utterances_unioned"
)
connection.execute(
    "create table work.intermediate.int_intent_examples_screened as "
    "select example_id, dataset, split, locale, text, null::varchar as rejection_reason "
    "from source.main.intent_examples"
)
for name, database in settings['order']:
    connection.execute(f"create table {relation(name, database)} as {models[name]}")
rows = connection.execute('''
    with
    texts as (select * from work.intermediate.int_near_duplicate_texts),
    records as (select * from work.intermediate.int_near_duplicate_records),
    holders as (
        select
            text_key,
            list(distinct dataset) filter (where record_kind = 'intent_example') as intent_datasets,
            count(*) filter (where record_kind = 'utterance') > 0 as is_pretraining,
            count(*) filter (
                where record_kind = 'intent_example' and split in ('validation', 'test')
            ) > 0 as is_evaluation
        from records
        group by text_key
    ),
    described as (
        select
            pairs.jaccard,
            texts_a.normal_form as text_a,
            texts_b.normal_form as text_b,
            case
                when (holders_a.is_evaluation and holders_b.is_pretraining)
                    or (holders_b.is_evaluation and holders_a.is_pretraining)
                    then 'pretrain_evaluation'
                when len(list_intersect(holders_a.intent_datasets, holders_b.intent_datasets)) > 0
                    then 'intent_intent'
                when holders_a.is_pretraining and holders_b.is_pretraining
                    then 'pretrain_pretrain'
            end as stratum,
            case
                when pairs.jaccard >= 0.9 then 3 when pairs.jaccard >= 0.8 then 2
                when pairs.jaccard >= 0.7 then 1 else 0
            end as band,
            hash(texts_a.normal_form, texts_b.normal_form) as draw_order
        from work.intermediate.int_near_duplicate_pairs as pairs
        inner join texts as texts_a on pairs.text_number_a = texts_a.text_number
        inner join texts as texts_b on pairs.text_number_b = texts_b.text_number
        inner join holders as holders_a on pairs.text_key_a = holders_a.text_key
        inner join holders as holders_b on pairs.text_key_b = holders_b.text_key
    ),
    ranked as (
        select *, row_number() over (partition by stratum, band order by draw_order) as position
        from described
        where stratum is not null
    )
    select stratum, round(jaccard, 4), text_a, text_b
    from ranked
    where position <= ?
    order by stratum, band, position
''', [settings['per_cell']]).fetchall()
print(json.dumps(rows))
"""
)


def draw(data_dir: Path, per_cell: int) -> None:
    """Print a new sample as CSV (label empty), from the detector run at a 0.6 threshold."""
    order = list(INTERMEDIATES[:7])  # records to pairs
    with tempfile.TemporaryDirectory(prefix="near_duplicate_precision_") as folder:
        models = compile_models(Path(folder), DRAW_VARS)
        models_file = Path(folder) / "models.json"
        models_file.write_text(json.dumps(models), encoding="utf-8")
        settings = {
            "folder": folder,
            "catalog": CATALOG,
            "models": str(models_file),
            "warehouse": str((data_dir / "warehouse.duckdb").resolve()),
            "order": order,
            "per_cell": per_cell,
        }
        completed = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(settings)], capture_output=True, text=True
        )
        if completed.returncode != 0:
            raise SystemExit(completed.stderr[-2000:])
    writer = csv.writer(sys.stdout)
    writer.writerow(["stratum", "jaccard", "text_a", "text_b", "label", "note"])
    for stratum, jaccard, text_a, text_b in json.loads(completed.stdout.strip().splitlines()[-1]):
        writer.writerow([stratum, jaccard, text_a, text_b, "", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", type=Path, metavar="DATA_DIR", help="draw a new sample")
    parser.add_argument("--per-cell", type=int, default=12)
    parser.add_argument("--labels", type=Path, default=LABELS)
    arguments = parser.parse_args()
    if arguments.draw is not None:
        draw(arguments.draw, arguments.per_cell)
    else:
        report(arguments.labels.resolve())


if __name__ == "__main__":
    main()
