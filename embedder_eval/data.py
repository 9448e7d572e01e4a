"""Reading what is evaluated from the warehouse marts, read-only.

- `intent_examples`: per dataset and locale, the train split (to fit or sample from) and the
  test split (to score), in upstream file order (source_path, then the position in the file),
  so MTEB's index-based undersampling draws the same examples it would from the upstream file.
- `utterance_pairs`: per dataset and locale, the test split's next_turn pairs.
- `dialogue_intent_examples`: per dataset and locale, the user turns annotated with exactly one
  intent (train and test), each with the turns before it; a seeded sample of the test turns
  when there are more than asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

TRAIN_SPLIT = "train"
EVAL_SPLIT = "test"  # MTEB scores Banking77 (and every classification task) on test


class WarehouseError(RuntimeError):
    """The warehouse or a mart it needs is missing."""


class SelectionError(ValueError):
    """An unknown dataset, locale or task was asked for."""


@dataclass(frozen=True)
class IntentSet:
    """One dataset and locale of intent_examples: its train and test examples."""

    dataset: str
    locale: str
    train_texts: list[str]
    train_labels: np.ndarray  # label_id
    test_texts: list[str]
    test_labels: np.ndarray
    n_labels: int
    n_test_out_of_scope: int = 0  # CLINC150's oos examples, scored as a label of their own
    train_out_of_scope: np.ndarray | None = None  # bool per train example
    test_out_of_scope: np.ndarray | None = None  # bool per test example


@dataclass(frozen=True)
class DialogueIntentSet:
    """One dataset and locale of dialogue_intent_examples: single-intent user turns."""

    dataset: str
    locale: str
    train_texts: list[str]
    train_contexts: list[str]  # the turn with the turns before it, speaker-tagged lines
    train_labels: np.ndarray
    test_texts: list[str]
    test_contexts: list[str]
    test_labels: np.ndarray
    n_labels: int
    n_test_available: int  # test turns before sampling


@dataclass(frozen=True)
class PairSet:
    """One dataset and locale of the test split's next_turn pairs."""

    dataset: str
    locale: str
    split: str
    anchor_texts: list[str]
    positive_texts: list[str]


# Upstream file order: an example id ending in #<n> is the n-th record of its file.
_FILE_ORDER = """
    source_path,
    regexp_replace(source_example_id, '#[0-9]+$', ''),
    coalesce(try_cast(regexp_extract(source_example_id, '#([0-9]+)$', 1) as bigint), -1),
    source_example_id
"""


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse file, or WarehouseError if it is absent."""
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise WarehouseError(
            f"no warehouse at {warehouse}: build it first (python run_pipeline.py) "
            "or point --warehouse at one"
        )
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        raise WarehouseError(f"cannot open the warehouse {warehouse}: {error}") from error


def _has_table(connection: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'main' and table_name = ?",
            [name],
        ).fetchone()[0]
    )


def _groups_available(
    connection: duckdb.DuckDBPyConnection, table: str, where: str, having: str = "true"
) -> list[tuple[str, str]]:
    """The (dataset, locale) pairs of the table's rows that meet where, grouped and kept where
    having holds, in order; none when the warehouse has no such table."""
    if not _has_table(connection, table):
        return []
    return connection.execute(
        f"""
        select dataset, locale
        from {table}
        where {where}
        group by dataset, locale
        having {having}
        order by dataset, locale
        """
    ).fetchall()


def intent_groups_available(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(dataset, locale) pairs of intent_examples with both a train and a test split."""
    return _groups_available(
        connection,
        "intent_examples",
        where=f"split in ('{TRAIN_SPLIT}', '{EVAL_SPLIT}')",
        having="count(distinct split) = 2",
    )


def pair_groups_available(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(dataset, locale) pairs of utterance_pairs with test-split next_turn pairs."""
    return _groups_available(
        connection, "utterance_pairs", where=f"pair_type = 'next_turn' and split = '{EVAL_SPLIT}'"
    )


def has_pairs_mart(connection: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(connection, "utterance_pairs")


def load_intent_set(connection: duckdb.DuckDBPyConnection, dataset: str, locale: str) -> IntentSet:
    """The train and test examples of one dataset and locale, in upstream file order."""
    rows = connection.execute(
        f"""
        select split, text, label_id, coalesce(is_out_of_scope, false)
        from intent_examples
        where dataset = ? and locale = ? and split in ('{TRAIN_SPLIT}', '{EVAL_SPLIT}')
        order by split, {_FILE_ORDER}
        """,
        [dataset, locale],
    ).fetchall()
    train = [(text, label) for split, text, label, _ in rows if split == TRAIN_SPLIT]
    test = [(text, label) for split, text, label, _ in rows if split == EVAL_SPLIT]
    return IntentSet(
        dataset=dataset,
        locale=locale,
        train_texts=[text for text, _ in train],
        train_labels=np.array([label for _, label in train], dtype=np.int64),
        test_texts=[text for text, _ in test],
        test_labels=np.array([label for _, label in test], dtype=np.int64),
        n_labels=len({label for _, label in train} | {label for _, label in test}),
        n_test_out_of_scope=sum(1 for split, *_, oos in rows if split == EVAL_SPLIT and oos),
        train_out_of_scope=np.array([oos for split, *_, oos in rows if split == TRAIN_SPLIT]),
        test_out_of_scope=np.array([oos for split, *_, oos in rows if split == EVAL_SPLIT]),
    )


CONTEXT_TURNS = 3  # turns before the user turn in the context input (context_window_k)


def dialogue_intent_groups_available(connection) -> list[tuple[str, str]]:
    """(dataset, locale) pairs of dialogue_intent_examples with train and test turns."""
    return _groups_available(
        connection,
        "dialogue_intent_examples",
        where=f"split in ('{TRAIN_SPLIT}', '{EVAL_SPLIT}') and n_turn_intents = 1",
        having="count(distinct split) = 2",
    )


def context_input(context_turns: list[dict], text: str, k: int = CONTEXT_TURNS) -> str:
    """The user turn with up to k turns before it, as speaker-tagged lines (as the
    context_response pairs write their anchors), the turn itself last."""
    lines = [f"{turn['speaker']}: {turn['text']}" for turn in (context_turns or [])[-k:]]
    return "\n".join([*lines, f"user: {text}"])


def load_dialogue_intent_set(
    connection, dataset: str, locale: str, test_limit: int | None = None, seed: int = 42
) -> DialogueIntentSet:
    """Single-intent user turns of one dataset and locale, in dialogue and turn order; at most
    test_limit test turns, drawn by a seeded permutation (kept in dialogue order)."""
    rows = connection.execute(
        f"""
        select split, text, label, context_turns
        from dialogue_intent_examples
        where dataset = ? and locale = ? and split in ('{TRAIN_SPLIT}', '{EVAL_SPLIT}')
            and n_turn_intents = 1
        order by split, dialogue_id, turn_index, example_id
        """,
        [dataset, locale],
    ).fetchall()
    labels = sorted({label for _, _, label, _ in rows})
    label_id = {label: position for position, label in enumerate(labels)}
    train = [row for row in rows if row[0] == TRAIN_SPLIT]
    test = [row for row in rows if row[0] == EVAL_SPLIT]
    n_test_available = len(test)
    if test_limit is not None and len(test) > test_limit:
        kept = np.sort(np.random.RandomState(seed).permutation(len(test))[:test_limit])
        test = [test[position] for position in kept]
    return DialogueIntentSet(
        dataset=dataset,
        locale=locale,
        train_texts=[text for _, text, _, _ in train],
        train_contexts=[context_input(context, text) for _, text, _, context in train],
        train_labels=np.array([label_id[label] for *_, label, _ in train], dtype=np.int64),
        test_texts=[text for _, text, _, _ in test],
        test_contexts=[context_input(context, text) for _, text, _, context in test],
        test_labels=np.array([label_id[label] for *_, label, _ in test], dtype=np.int64),
        n_labels=len(labels),
        n_test_available=n_test_available,
    )


def load_pair_set(connection: duckdb.DuckDBPyConnection, dataset: str, locale: str) -> PairSet:
    """The test split's next_turn pairs of one dataset and locale, in dialogue and turn order."""
    rows = connection.execute(
        f"""
        select anchor_text, positive_text
        from utterance_pairs
        where pair_type = 'next_turn' and split = '{EVAL_SPLIT}'
            and dataset = ? and locale = ?
        order by dialogue_id, anchor_turn_index, positive_turn_index, pair_id
        """,
        [dataset, locale],
    ).fetchall()
    return PairSet(
        dataset=dataset,
        locale=locale,
        split=EVAL_SPLIT,
        anchor_texts=[anchor for anchor, _ in rows],
        positive_texts=[positive for _, positive in rows],
    )


def select_groups(
    available: list[tuple[str, str]],
    datasets: list[str] | None,
    locales: list[str] | None,
) -> list[tuple[str, str]]:
    """The available (dataset, locale) pairs restricted to the asked datasets and locales."""
    return [
        (dataset, locale)
        for dataset, locale in available
        if (datasets is None or dataset in datasets) and (locales is None or locale in locales)
    ]


# --- whole dialogues with their domains (dialogue_domain_examples) -----------------------------

DOMAIN_MART = "dialogue_domain_examples"


@dataclass(frozen=True)
class LabelledDialogues:
    """Dialogues of one split, each with its turns as lines and its domains."""

    dialogue_ids: list[str]
    datasets: list[str]
    texts: list[str]  # the dialogue's text as the mart joins it (every turn)
    lines: list[list[str]]  # its turns as lines `speaker: text`
    domain_sets: list[frozenset[str]]
    label_sets: list[str]  # the domains joined by '|' (the mart's label_set)

    def __len__(self) -> int:
        return len(self.dialogue_ids)

    def subset(self, positions) -> LabelledDialogues:
        fields = LabelledDialogues.__dataclass_fields__
        return LabelledDialogues(
            **{name: [getattr(self, name)[i] for i in positions] for name in fields}
        )

    @staticmethod
    def concatenate(parts: list[LabelledDialogues]) -> LabelledDialogues:
        fields = LabelledDialogues.__dataclass_fields__
        return LabelledDialogues(
            **{name: [value for part in parts for value in getattr(part, name)] for name in fields}
        )

    @property
    def single_domain(self) -> list[int]:
        """Positions of the single-domain dialogues."""
        return [i for i, domains in enumerate(self.domain_sets) if len(domains) == 1]


@dataclass(frozen=True)
class DialogueDomainSet:
    """One dataset and locale of dialogue_domain_examples (or several datasets pooled):
    train and test dialogues, each split a seeded sample where it is larger than the limit."""

    dataset: str  # the registry id, or the pooled datasets' ids joined by '+'
    locale: str
    datasets: list[str]
    train: LabelledDialogues
    test: LabelledDialogues
    n_train_available: int
    n_test_available: int


def dialogue_domain_groups_available(connection) -> list[tuple[str, str]]:
    """(dataset, locale) pairs of dialogue_domain_examples with test dialogues."""
    return _groups_available(connection, DOMAIN_MART, where=f"split = '{EVAL_SPLIT}'")


def dialogue_domain_counts(connection, dataset: str, locale: str) -> dict[str, int]:
    """Train and test dialogues of one dataset and locale, and the distinct domains of their
    single-domain dialogues and label sets of the test split."""
    [row] = connection.execute(
        f"""
        select
            count(*) filter (where split = '{TRAIN_SPLIT}'),
            count(*) filter (where split = '{EVAL_SPLIT}'),
            count(distinct domain) filter (where split = '{TRAIN_SPLIT}'),
            count(distinct domain) filter (where split = '{EVAL_SPLIT}'),
            count(distinct label_set) filter (where split = '{EVAL_SPLIT}')
        from {DOMAIN_MART}
        where dataset = ? and locale = ?
        """,
        [dataset, locale],
    ).fetchall()
    names = ("n_train", "n_test", "n_train_domains", "n_test_domains", "n_test_label_sets")
    return dict(zip(names, row, strict=True))


def has_domain_mart(connection) -> bool:
    return _has_table(connection, DOMAIN_MART)  # a view, which information_schema lists too


def _seeded_sample(n: int, limit: int | None, seed: int) -> list[int]:
    """All positions, or limit of them drawn by a seeded permutation, in their order."""
    if limit is None or n <= limit:
        return list(range(n))
    return sorted(int(i) for i in np.random.RandomState(seed).permutation(n)[:limit])


def load_dialogue_domain_split(
    connection, dataset: str, locale: str, split: str, limit: int | None, seed: int = 42
) -> tuple[LabelledDialogues, int]:
    """The dialogues of one dataset, locale and split in dialogue_id order, at most limit of
    them (a seeded sample); and how many there are."""
    rows = connection.execute(
        f"""
        select dialogue_id, dataset, dialogue_text, turns, domains, label_set
        from {DOMAIN_MART}
        where dataset = ? and locale = ? and split = ?
        order by dialogue_id
        """,
        [dataset, locale, split],
    ).fetchall()
    kept = [rows[i] for i in _seeded_sample(len(rows), limit, seed)]
    dialogues = LabelledDialogues(
        dialogue_ids=[row[0] for row in kept],
        datasets=[row[1] for row in kept],
        texts=[row[2] for row in kept],
        lines=[[f"{turn['speaker']}: {turn['text']}" for turn in row[3]] for row in kept],
        domain_sets=[frozenset(row[4]) for row in kept],
        label_sets=[row[5] for row in kept],
    )
    return dialogues, len(rows)


def load_dialogue_domain_set(
    connection,
    dataset: str,
    locale: str,
    train_limit: int | None,
    test_limit: int | None,
    with_train: bool = True,
) -> DialogueDomainSet:
    """Train (when asked) and test dialogues of one dataset and locale, each split at most its
    limit (a seeded sample, RandomState(42), kept in dialogue_id order)."""
    empty = LabelledDialogues([], [], [], [], [], [])
    train, n_train = (
        load_dialogue_domain_split(connection, dataset, locale, TRAIN_SPLIT, train_limit)
        if with_train
        else (empty, 0)
    )
    test, n_test = load_dialogue_domain_split(connection, dataset, locale, EVAL_SPLIT, test_limit)
    return DialogueDomainSet(dataset, locale, [dataset], train, test, n_train, n_test)


def pooled_dialogue_domain_set(sets: list[DialogueDomainSet]) -> DialogueDomainSet:
    """Several datasets' sets of one locale as one set, named by their ids joined by '+'."""
    datasets = sorted(dataset for domain_set in sets for dataset in domain_set.datasets)
    return DialogueDomainSet(
        dataset="+".join(datasets),
        locale=sets[0].locale,
        datasets=datasets,
        train=LabelledDialogues.concatenate([domain_set.train for domain_set in sets]),
        test=LabelledDialogues.concatenate([domain_set.test for domain_set in sets]),
        n_train_available=sum(domain_set.n_train_available for domain_set in sets),
        n_test_available=sum(domain_set.n_test_available for domain_set in sets),
    )
