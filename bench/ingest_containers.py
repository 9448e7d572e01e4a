"""Benchmark: peak memory of ingesting MInDS-14's zip and MASSIVE's tarball as they grow.

    python bench/ingest_containers.py [--minds14-sizes 64,128,256] [--massive-sizes 4,8,16]
                                      [--held-in-memory]

For each size (MiB), it writes a synthetic container in the upstream layout into a temporary
mirror and ingests it with `run_ingest` in a fresh process, then prints the file's size, the
records written and that process's peak resident set size (wait4's ru_maxrss):

- MInDS-14: `MInDS-14.zip` holding `text.zip` (14 `<locale>.csv`, 300 rows each, the same at
  every size) and an `audio.zip` member of the given size (random bytes, stored), as the real
  ~471 MB zip is nearly all audio;
- MASSIVE: `amazon-massive-dataset-1.1.tar.gz` holding `1.1/data/<locale>.jsonl` files of
  records in the upstream shape, as many as make the tarball about the given size.

The ingest streams both from their local file (`RawTable.reads_file`), so the peak should stay
flat as the file grows. `--held-in-memory` measures the same with the file read into memory
first, as the ingest did before, for comparison. A benchmark, not a test: it prints, it
asserts nothing (no timing is asserted anywhere).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MIB = 1 << 20
LOCALES = ["cs-CZ", "de-DE", "en-AU", "en-GB", "en-US", "es-ES", "fr-FR", "it-IT", "ko-KR"]
LOCALES += ["nl-NL", "pl-PL", "pt-PT", "ru-RU", "zh-CN"]
INTENTS = ["abroad", "address", "app_error", "atm_limit", "balance", "card_issues", "freeze"]
WORDS = "alarm set wake me up at seven tomorrow please play some jazz music what is the weather"

# The child process: ingest one dataset from the mirror into a fresh data folder.
CHILD = """
import dataclasses, sys
from pathlib import Path
from ingest.registry import REGISTRY
from ingest.runner import run_ingest
from ingest.sources import parser_for

dataset_id, mirror, data_dir, held = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
dataset = REGISTRY[dataset_id]
files = tuple(dataclasses.replace(f, git_blob_sha1=None, size=None) for f in dataset.files)
if held == "1":  # as before: the whole file read into memory, then parsed from the bytes
    tables = parser_for(dataset_id).TABLES
    for name, table in tables.items():
        tables[name] = dataclasses.replace(table, reads_file=False)
[report] = run_ingest(
    [dataclasses.replace(dataset, files=files)], data_dir / "raw", data_dir / "cache", mirror,
    progress=lambda _: None,
)
print(report.records)
"""


def write_minds14(folder: Path, megabytes: int) -> Path:
    """A MInDS-14.zip whose audio.zip member has `megabytes` MiB of random bytes."""
    rows = random.Random(14)
    text_zip = io.BytesIO()
    with zipfile.ZipFile(text_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        for locale in LOCALES:
            lines = ["path,transcription,english_transcription,intent"]
            for n in range(300):
                intent = rows.choice(INTENTS)
                lines.append(
                    f"{locale}~{intent.upper()}/response_{n}.wav,text {n},text {n},{intent}"
                )
            archive.writestr(f"{locale}.csv", "\n".join(lines) + "\n")
    path = folder / "minds14" / "MInDS-14.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("MInDS-14/license.md", "CC BY 4.0\n")
        archive.writestr("MInDS-14/text.zip", text_zip.getvalue())
        with archive.open("MInDS-14/audio.zip", "w", force_zip64=True) as audio:
            for _ in range(megabytes):
                audio.write(os.urandom(MIB))
    return path


def massive_line(draw: random.Random, locale: str, n: int) -> bytes:
    words = WORDS.split()
    utterance = " ".join(draw.choice(words) for _ in range(draw.randint(4, 12)))
    record = {
        "id": str(n),
        "locale": locale,
        "partition": draw.choice(["train", "dev", "test"]),
        "scenario": "alarm",
        "intent": "alarm_set",
        "utt": utterance,
        "annot_utt": utterance,
        "worker_id": str(draw.randint(1, 99)),
        "slot_method": [{"slot": "time", "method": "translation"}],
        "judgments": [
            {
                "worker_id": "1",
                "intent_score": 1,
                "slots_score": 1,
                "grammar_score": 4,
                "spelling_score": 2,
                "language_identification": "target",
            }
        ],
    }
    return json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"


def write_massive(folder: Path, megabytes: int) -> Path:
    """A MASSIVE tarball of about `megabytes` MiB (gzip), one .jsonl member per locale."""
    path = folder / "massive" / "amazon-massive-dataset-1.1.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    draw = random.Random(52)
    # About 30 bytes of gzip per record at this vocabulary; members of equal record counts.
    per_locale = max(1, megabytes * MIB // 30 // len(LOCALES))
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        for number, locale in enumerate(LOCALES):
            body = b"".join(
                massive_line(draw, locale, number * per_locale + n) for n in range(per_locale)
            )
            member = tarfile.TarInfo(f"1.1/data/{locale}.jsonl")
            member.size = len(body)
            archive.addfile(member, io.BytesIO(body))
    return path


def measure(dataset_id: str, mirror: Path, held: bool) -> tuple[int, float, float]:
    """Ingest in a fresh process: (records, seconds, peak RSS in MiB)."""
    with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryFile() as output:
        started = time.monotonic()
        command = [
            sys.executable,
            "-c",
            CHILD,
            dataset_id,
            str(mirror),
            data_dir,
            "1" if held else "0",
        ]
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=output, stderr=output)
        _, status, usage = os.wait4(process.pid, 0)  # this child's peak, not every child's
        seconds = time.monotonic() - started
        output.seek(0)
        text = output.read().decode(errors="replace")
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"ingest of {dataset_id} failed:\n{text}")
    return int(text.split()[-1]), seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minds14-sizes", default="64,128,256", help="zip sizes in MiB")
    parser.add_argument(
        "--massive-sizes",
        default="4,8,16",
        help="tarball sizes in MiB (about 35,000 synthetic records per MiB)",
    )
    parser.add_argument(
        "--held-in-memory",
        action="store_true",
        help="also measure with the file read into memory first (as before streaming)",
    )
    arguments = parser.parse_args()
    modes = [False, True] if arguments.held_in_memory else [False]
    header = ("dataset", "file MiB", "records", "mode", "seconds", "peak RSS")
    print("{:<9} {:>9} {:>10} {:<10} {:>8} {:>9}".format(*header))
    for dataset_id, write, sizes in (
        ("minds14", write_minds14, arguments.minds14_sizes),
        ("massive", write_massive, arguments.massive_sizes),
    ):
        for size in (int(size) for size in sizes.split(",")):
            with tempfile.TemporaryDirectory() as mirror:
                path = write(Path(mirror), size)
                file_mib = path.stat().st_size / MIB
                for held in modes:
                    records, seconds, peak = measure(dataset_id, Path(mirror), held)
                    mode = "in memory" if held else "streamed"
                    print(
                        f"{dataset_id:<9} {file_mib:9.1f} {records:10,} {mode:<10} "
                        f"{seconds:8.1f} {peak:6.0f} MiB",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
