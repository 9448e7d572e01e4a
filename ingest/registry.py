"""The dataset registry: the single source of truth for every upstream dataset.

Dataset-level facts (name, license, citation, homepage, where upstream lives) are
declared here; the upstream files of each dataset (path, split, locale, git blob
SHA-1 and size) are listed in ``upstream_files.tsv`` beside this module.
Nothing else names the datasets: the pipeline passes the dbt project what it needs of
the registry as vars at build time (``dbt_vars``; ``python -m ingest.registry`` prints them).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sys
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

Kind = Literal["dialogues", "intents"]
SplitSource = Literal["official", "derived"]


@dataclass(frozen=True)
class UpstreamFile:
    """One file as upstream publishes it."""

    dataset: str
    table: str  # raw table the file's records go to ("dialogues", "examples", "labels", ...)
    path: str  # path inside the upstream repository (or archive name for non-GitHub sources)
    upstream_split: str | None  # as upstream spells it ("dev", "validate"); None: no split
    locale: str  # BCP-47
    git_blob_sha1: str | None  # `git hash-object` of the file, where known
    size: int | None  # bytes, where known
    url: str | None = None  # where upstream is not a GitHub repository at a commit
    mirror_folder: str = ""  # folder of the dataset's source in a mirror (set from Dataset)


@dataclass(frozen=True)
class Dataset:
    """One upstream dataset and how to fetch and parse it."""

    id: str
    name: str
    kind: Kind
    repository: str  # "owner/name" on GitHub
    commit: str
    license: str
    citation: str
    homepage: str
    split_source: SplitSource
    split_rule: str  # how splits are taken or derived, in words
    mirror_folder: str = ""  # folder name in a mirror, when it is not the id (several share one)
    redistributable: bool = True  # False where the terms forbid redistributing the data
    manual_download: str = ""  # where set: no URL to fetch from; how to obtain the files
    # Staging shapes beyond the kind's own (stg_<id>__dialogues/__utterances or __examples):
    publishes_label_list: bool = False  # stg_<id>__labels: upstream's label order or scenarios
    annotates_user_intents: bool = False  # its utterances' frame_intents: intents of user turns
    files: tuple[UpstreamFile, ...] = field(default=(), repr=False)

    def url(self, file: UpstreamFile) -> str:
        """Download URL of one upstream file: its own, or pinned to the registry's commit."""
        if file.url:
            return file.url
        return f"https://raw.githubusercontent.com/{self.repository}/{self.commit}/{file.path}"


# The rule for every dialogue corpus without an upstream split (macro derived_split).
DERIVED_SPLIT_RULE = (
    "no upstream split: by the first 8 hex digits of md5(dataset:upstream dialogue id) "
    "modulo 10 (0-7 train, 8 validation, 9 test), stable across runs and machines"
)


def _taskmaster_release(
    id: str, name: str, citation: str, split_source: SplitSource, split_rule: str
) -> Dataset:
    """One Taskmaster release: all four share one repository, commit, license and mirror folder."""
    return Dataset(
        id=id,
        name=name,
        kind="dialogues",
        repository="google-research-datasets/Taskmaster",
        commit="d92cb6af3005f1dc09c39e75e7daf4a04905e00b",
        license="CC BY 4.0",
        citation=citation,
        homepage="https://github.com/google-research-datasets/Taskmaster",
        split_source=split_source,
        split_rule=split_rule,
        mirror_folder="taskmaster",
    )


def _goo_split_release(id: str, name: str, license: str, citation: str) -> Dataset:
    """SNIPS or ATIS as Goo et al. 2018 split them: both in one repository at one commit, each
    in its folder data/<id>, sharing a mirror folder; citation names the original corpus."""
    return Dataset(
        id=id,
        name=name,
        kind="intents",
        repository="MiuLab/SlotGated-SLU",
        commit="61f0307c729b1fad479ef1de94aa5ac5dee601b0",
        license=license,
        citation=(
            f"{citation}; split of Goo et al. 2018. Slot-Gated Modeling for Joint Slot Filling "
            "and Intent Prediction. NAACL."
        ),
        homepage="https://github.com/MiuLab/SlotGated-SLU",
        split_source="official",
        split_rule=f"folder data/{id}/{{train,valid,test}}",
        mirror_folder="slotgated-slu",
    )


_DATASETS_WITHOUT_FILES: tuple[Dataset, ...] = (
    Dataset(
        id="sgd",
        annotates_user_intents=True,
        name="Schema-Guided Dialogue (DSTC8)",
        kind="dialogues",
        repository="google-research-datasets/dstc8-schema-guided-dialogue",
        commit="e852981ae34990f4358979625854259302feaa78",
        license="CC BY-SA 4.0",
        citation=(
            "Rastogi et al. 2020. Towards Scalable Multi-Domain Conversational Agents: "
            "The Schema-Guided Dialogue Dataset. AAAI."
        ),
        homepage="https://github.com/google-research-datasets/dstc8-schema-guided-dialogue",
        split_source="official",
        split_rule="folder train/dev/test",
    ),
    Dataset(
        id="multiwoz22",
        annotates_user_intents=True,
        name="MultiWOZ 2.2",
        kind="dialogues",
        repository="budzianowski/multiwoz",
        commit="fe0c8e65cfcd8462bd33c86e35f21addc84ca82b",
        license="MIT",
        citation=(
            "Zang et al. 2020. MultiWOZ 2.2: A Dialogue Dataset with Additional Annotation "
            "Corrections and State Tracking Baselines. NLP4ConvAI."
        ),
        homepage="https://github.com/budzianowski/multiwoz",
        split_source="official",
        split_rule="folder train/dev/test",
    ),
    Dataset(
        id="camrest676",
        name="CamRest676",
        kind="dialogues",
        repository="shawnwun/NNDIAL",
        commit="740f6d34594bcdd889080ce60c95384bda7594a2",
        license="Apache-2.0 (NNDIAL toolkit that ships the data)",
        citation=(
            "Wen et al. 2017. A Network-based End-to-End Trainable Task-oriented Dialogue "
            "System. EACL."
        ),
        homepage="https://www.repository.cam.ac.uk/handle/1810/260970",
        split_source="derived",
        split_rule=(
            "no upstream split: 3:1:1 in file order as NNDIAL's loader and ConvLab use it, "
            "the first 406 dialogues train, the next 135 validation, the last 135 test"
        ),
    ),
    Dataset(
        id="woz2",
        name="WOZ 2.0 (en, de, it)",
        kind="dialogues",
        repository="nmrksic/neural-belief-tracker",
        commit="63b5933d867fd9dacc2bfadcc5f6be3a3ef8ee77",
        license="Apache-2.0 (neural-belief-tracker repository)",
        citation=(
            "Wen et al. 2017 (EACL) for WOZ 2.0; Mrksic et al. 2017. Semantic Specialisation "
            "of Distributional Word Vector Spaces using Monolingual and Cross-Lingual "
            "Constraints. TACL (de, it)."
        ),
        homepage="https://github.com/nmrksic/neural-belief-tracker",
        split_source="official",
        split_rule="file name woz_{train,validate,test}_{en,de,it}.json",
    ),
    Dataset(
        id="kvret",
        name="KVRET / Stanford Multi-Domain (SMD)",
        kind="dialogues",
        repository="s6fikass/Chatbot_KVNN",
        commit="0a646362f8eb0f60926c09bbbac60bd9b2742360",
        license="not stated upstream",
        citation=(
            "Eric et al. 2017. Key-Value Retrieval Networks for Task-Oriented Dialogue. SIGDIAL."
        ),
        homepage="https://nlp.stanford.edu/blog/a-new-multi-turn-multi-domain-task-oriented-dialogue-dataset/",
        split_source="official",
        split_rule="file name kvret_{train,dev,test}_public.json",
    ),
    _taskmaster_release(
        id="taskmaster1",
        name="Taskmaster-1 (TM-1-2019: self-dialogs and woz-dialogs)",
        citation=(
            "Byrne et al. 2019. Taskmaster-1: Toward a Realistic and Diverse Dialog Dataset. "
            "EMNLP-IJCNLP."
        ),
        split_source="official",
        split_rule=(
            "self-dialogs: the published id lists train-dev-test/{train,dev,test}.csv; "
            "woz-dialogs have no upstream split and are derived like the others: by the first "
            "8 hex digits of md5(dataset:upstream dialogue id) modulo 10 (0-7 train, "
            "8 validation, 9 test)"
        ),
    ),
    _taskmaster_release(
        id="taskmaster2",
        name="Taskmaster-2 (TM-2-2020)",
        citation=(
            "Byrne et al. 2021. TicketTalk: Toward human-level performance with end-to-end, "
            "transaction-based dialog systems. ACL (Taskmaster-2 and -3 release)."
        ),
        split_source="derived",
        split_rule=DERIVED_SPLIT_RULE,
    ),
    _taskmaster_release(
        id="taskmaster3",
        name="Taskmaster-3 / TicketTalk (TM-3-2020)",
        citation=(
            "Byrne et al. 2021. TicketTalk: Toward human-level performance with end-to-end, "
            "transaction-based dialog systems. ACL."
        ),
        split_source="official",
        split_rule="the split file (splits/{train,dev,test}/*.tsv) a dialogue's id appears in",
    ),
    _taskmaster_release(
        id="taskmaster4",
        name="Taskmaster-4 (TM-4-2024, coffee ordering)",
        citation="Google Research. 2024. Taskmaster-4 (TM-4-2024). Dataset release.",
        split_source="derived",
        split_rule=DERIVED_SPLIT_RULE,
    ),
    Dataset(
        id="metalwoz",
        name="MetaLWOZ",
        kind="dialogues",
        repository="",
        commit="",
        license="Microsoft Research Data License Agreement (no redistribution)",
        citation=(
            "Lee et al. 2019. Multi-Domain Task-Completion Dialog Challenge. DSTC8; "
            "Shalyminov et al. 2019 (MetaLWOz)."
        ),
        homepage="https://www.microsoft.com/en-us/download/58389",
        split_source="official",
        split_rule="metalwoz-v1.zip as train, the held-out metalwoz-test-v1.zip as test",
        redistributable=False,
    ),
    Dataset(
        id="frames",
        name="Maluuba Frames",
        kind="dialogues",
        repository="",
        commit="",
        license="Microsoft Frames dataset terms (not verified here)",
        citation=(
            "El Asri et al. 2017. Frames: a corpus for adding memory to goal-oriented dialogue "
            "systems. SIGDIAL."
        ),
        homepage="https://www.microsoft.com/en-us/research/project/frames-dataset/",
        split_source="derived",
        split_rule=DERIVED_SPLIT_RULE,
        redistributable=False,
        manual_download=(
            "Frames has no stable download URL: download frames.json from "
            "https://www.microsoft.com/en-us/research/project/frames-dataset/ (accepting its "
            "terms), put it at <DIR>/frames/frames.json and run with --mirror <DIR>"
        ),
    ),
    Dataset(
        id="msre2e",
        name="Microsoft E2E Dialogue Challenge (movie, restaurant, taxi)",
        kind="dialogues",
        repository="xiul-msr/e2e_dialog_challenge",
        commit="05de23b4488350cb963dfc5592f27821e5171470",
        license=(
            "Microsoft Human Dialogue Dataset License Terms: non-commercial research, "
            "no redistribution"
        ),
        citation=(
            "Li et al. 2018. Microsoft Dialogue Challenge: Building End-to-End Task-Completion "
            "Dialogue Systems. arXiv:1807.11125."
        ),
        homepage="https://github.com/xiul-msr/e2e_dialog_challenge",
        split_source="derived",
        split_rule=(
            "no upstream split: by the first 8 hex digits of md5(dataset:domain:session id) "
            "modulo 10 (0-7 train, 8 validation, 9 test)"
        ),
        redistributable=False,
    ),
    Dataset(
        id="banking77",
        publishes_label_list=True,
        name="BANKING77",
        kind="intents",
        repository="PolyAI-LDN/task-specific-datasets",
        commit="57ec275d8078af65b7731c2a98be812d844a6d6b",
        license="CC BY 4.0",
        citation=(
            "Casanueva et al. 2020. Efficient Intent Detection with Dual Sentence Encoders. "
            "NLP4ConvAI."
        ),
        homepage="https://github.com/PolyAI-LDN/task-specific-datasets",
        split_source="official",
        split_rule="file banking_data/{train,test}.csv (no validation split upstream)",
    ),
    Dataset(
        id="clinc150",
        publishes_label_list=True,
        name="CLINC150 (oos-eval, data_full)",
        kind="intents",
        repository="clinc/oos-eval",
        commit="828f8093932c8fe6ca7936c3d2e52903b1c523de",
        license="CC BY 3.0",
        citation=(
            "Larson et al. 2019. An Evaluation Dataset for Intent Classification and "
            "Out-of-Scope Prediction. EMNLP-IJCNLP."
        ),
        homepage="https://github.com/clinc/oos-eval",
        split_source="official",
        split_rule=(
            "keys train/val/test of data_full.json; oos_train/oos_val/oos_test join them "
            "with label oos"
        ),
    ),
    Dataset(
        id="massive",
        name="MASSIVE 1.1",
        kind="intents",
        repository="alexa/massive",
        commit="f966f21846043aabef9b0f974fa7970027f43738",
        license="CC BY 4.0",
        citation=(
            "FitzGerald et al. 2023. MASSIVE: A 1M-Example Multilingual Natural Language "
            "Understanding Dataset with 51 Typologically-Diverse Languages. ACL."
        ),
        homepage="https://github.com/alexa/massive",
        split_source="official",
        split_rule="field partition (train/dev/test) of each record; every locale kept as its own",
    ),
    Dataset(
        id="hwu64",
        name="HWU64 (NLU-Evaluation-Data, KFold_1)",
        kind="intents",
        repository="xliuhw/NLU-Evaluation-Data",
        commit="f6071b496b17d71e6eb43f543af0707f4ff30557",
        license="CC BY 4.0",
        citation=(
            "Liu et al. 2019. Benchmarking Natural Language Understanding Services for "
            "building Conversational Agents. IWSDS."
        ),
        homepage="https://github.com/xliuhw/NLU-Evaluation-Data",
        split_source="official",
        split_rule=(
            "cross-validation fold KFold_1: trainset as train, testset/csv as test (as DialoGLUE)"
        ),
    ),
    _goo_split_release(
        id="snips",
        name="SNIPS (Goo et al. 2018 split)",
        license="CC0 1.0 (sonos/nlu-benchmark source; the MiuLab repository states none)",
        citation=(
            "Coucke et al. 2018. Snips Voice Platform: an embedded Spoken Language "
            "Understanding system for private-by-design voice interfaces. arXiv:1805.10190"
        ),
    ),
    _goo_split_release(
        id="atis",
        name="ATIS (Goo et al. 2018 split)",
        license="not stated upstream (ATIS originates from the LDC corpora)",
        citation="Hemphill et al. 1990. The ATIS Spoken Language Systems Pilot Corpus. HLT",
    ),
    Dataset(
        id="minds14",
        name="MInDS-14",
        kind="intents",
        repository="",
        commit="",
        license="CC BY 4.0",
        citation=(
            "Gerz et al. 2021. Multilingual and Cross-Lingual Intent Detection from Spoken "
            "Data. arXiv:2104.08524."
        ),
        homepage="https://huggingface.co/datasets/PolyAI/minds14",
        split_source="derived",
        split_rule=(
            "no upstream split: 80/10/10 train/validation/test by the first 8 hex digits of "
            "md5(audio path) modulo 10 (0-7 train, 8 validation, 9 test), stable everywhere"
        ),
    ),
)


def _load_upstream_files() -> dict[str, tuple[UpstreamFile, ...]]:
    """Read upstream_files.tsv into files per dataset id, in listed order."""
    text = resources.files("ingest").joinpath("upstream_files.tsv").read_text(encoding="utf-8")
    files: dict[str, list[UpstreamFile]] = {}
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        files.setdefault(row["dataset"], []).append(
            UpstreamFile(
                dataset=row["dataset"],
                table=row["table"],
                path=row["path"],
                upstream_split=row["upstream_split"] or None,
                locale=row["locale"],
                git_blob_sha1=row["git_blob_sha1"] or None,
                size=int(row["bytes"]) if row["bytes"] else None,
                url=row["url"] or None,
            )
        )
    return {dataset_id: tuple(listed) for dataset_id, listed in files.items()}


def _build_registry() -> dict[str, Dataset]:
    files = _load_upstream_files()
    registry: dict[str, Dataset] = {}
    for dataset in _DATASETS_WITHOUT_FILES:
        if dataset.id not in files:
            raise RuntimeError(f"upstream_files.tsv lists no file for dataset {dataset.id!r}")
        mirror_folder = dataset.mirror_folder or dataset.id
        registry[dataset.id] = dataclasses.replace(
            dataset,
            mirror_folder=mirror_folder,
            files=tuple(
                dataclasses.replace(file, mirror_folder=mirror_folder) for file in files[dataset.id]
            ),
        )
    unknown = set(files) - set(registry)
    if unknown:
        raise RuntimeError(f"upstream_files.tsv lists unregistered datasets: {sorted(unknown)}")
    return registry


REGISTRY: dict[str, Dataset] = _build_registry()


class UnknownDatasetError(ValueError):
    """A dataset name that the registry does not know."""


def select_datasets(
    names: list[str] | None, registry: dict[str, Dataset] = REGISTRY
) -> list[Dataset]:
    """Datasets for the given ids (all, in registry order, when names is None)."""
    if names is None:
        return list(registry.values())
    unknown = [name for name in names if name not in registry]
    if unknown:
        raise UnknownDatasetError(
            f"unknown dataset {', '.join(map(repr, unknown))}; known: {', '.join(registry)}"
        )
    return [registry[name] for name in dict.fromkeys(names)]


def registry_rows(registry: dict[str, Dataset] = REGISTRY) -> list[dict[str, object]]:
    """One row per dataset with the facts the warehouse's `datasets` model holds."""
    return [
        {
            "dataset": dataset.id,
            "name": dataset.name,
            "kind": dataset.kind,
            "license": dataset.license,
            "citation": dataset.citation,
            "homepage": dataset.homepage,
            "repository": dataset.repository,
            "commit": dataset.commit,
            "split_source": dataset.split_source,
            "split_rule": dataset.split_rule,
            "redistributable": dataset.redistributable,
            "n_upstream_files": len(dataset.files),
        }
        for dataset in registry.values()
    ]


def dbt_vars(registry: dict[str, Dataset] = REGISTRY) -> dict[str, object]:
    """What the dbt project needs of the registry, passed as dbt vars at build time: the
    dataset lists its unions take and the registry rows of the `datasets` model."""
    return {
        "dialogue_datasets": [d.id for d in registry.values() if d.kind == "dialogues"],
        "intent_datasets": [d.id for d in registry.values() if d.kind == "intents"],
        "intent_label_catalogues": [d.id for d in registry.values() if d.publishes_label_list],
        "dialogue_intent_datasets": [d.id for d in registry.values() if d.annotates_user_intents],
        "datasets": registry_rows(registry),
    }


if __name__ == "__main__":
    json.dump(dbt_vars(), sys.stdout, indent=2)
    sys.stdout.write("\n")
