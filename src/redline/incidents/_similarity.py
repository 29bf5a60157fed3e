"""Duplicate suggestions: which stored incidents a new report most likely describes.

TF-IDF over three kinds of feature (word unigrams, word bigrams, character n-grams
inside words), each block L2-normalised and weighted, scored by cosine, so a
score is in [0, 1]. Character n-grams carry the match when a report words things
differently from the stored description ("self-driving" / "driverless car" share
little, but "Tesla's Autopilot" / "Tesla Autopilot" or "deepfake" / "deep-faked"
share most). Measured with `bench/incidents.py` (each AIID incident's title as
the query against all 1,367 descriptions): recall@1 0.930 and recall@5 0.989,
against 0.930 / 0.987 for Okapi BM25 over words (`method="bm25"`) and 0.914 /
0.982 for TF-IDF over words alone. BM25 builds faster, but its scores have no
fixed range; cosine scores are in [0, 1] and comparable across queries.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field
from scipy import sparse

from redline.incidents._model import IncidentRecord
from redline.incidents._text import content_words

Method = Literal["tfidf", "bm25"]

WORD_WEIGHT = 1.0
"""Weight of the word-unigram block in the combined vector."""
BIGRAM_WEIGHT = 0.5
"""Weight of the word-bigram block: an exact phrase match is strong evidence, but rare."""
CHAR_WEIGHT = 1.0
"""Weight of the character n-gram block."""
CHAR_SIZES = (4,)
"""Character n-gram lengths, taken inside each padded word. 4-grams alone matched
3-, 4- and 5-grams together on the bench (recall@5 0.989 vs 0.988) at two thirds
of the build time."""

BM25_K1 = 1.2
BM25_B = 0.75


class Suggestion(BaseModel):
    """One stored incident a new report may describe."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    key: str
    """The stored incident's key, as given to the index."""
    score: float = Field(ge=0.0, le=1.0)
    """Similarity in [0, 1]; comparable across queries of one index."""
    rank: int = Field(ge=1)
    """1 for the most similar."""


@lru_cache(maxsize=1 << 16)
def _char_grams(word: str) -> tuple[str, ...]:
    # Words repeat across texts, so each word's n-grams are built once.
    padded = f" {word} "
    return tuple(
        "c:" + padded[i : i + size]
        for size in CHAR_SIZES
        for i in range(len(padded) - size + 1)
    )


def text_features(text: str) -> list[str]:
    """Feature occurrences of a text: `w:` words, `b:` word bigrams, `c:` character n-grams."""
    words = content_words(text)
    features = ["w:" + w for w in words]
    features.extend(f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    for word in words:
        features.extend(_char_grams(word))
    return features


def incident_text(record: IncidentRecord) -> str:
    """What an index knows of a stored incident: title, description and report titles.

    Args:
        record: The incident.

    Returns:
        The texts joined by newlines, each once, in that order.
    """
    parts = [record.title, record.description, *(r.title for r in record.reports)]
    return "\n".join(dict.fromkeys(p.strip() for p in parts if p.strip()))


_BLOCKS = ("w", "b", "c")
_BLOCK_WEIGHTS = {"w": WORD_WEIGHT, "b": BIGRAM_WEIGHT, "c": CHAR_WEIGHT}


class DuplicateIndex:
    """An in-memory index of stored incidents' texts, queried with a new report's text.

    Build it from `(key, text)` pairs where the text is what is known of each
    incident (title, description, report titles); building over the AIID
    snapshot takes a fraction of a second and a query about a millisecond.
    """

    def __init__(
        self, items: Iterable[tuple[str, str]], *, method: Method = "tfidf"
    ) -> None:
        """Index the items.

        Args:
            items: (key, text) pairs; keys must be distinct.
            method: `tfidf` (the default, measured best) or `bm25` (word
                unigrams, Okapi BM25, scores squashed into [0, 1] as s / (s + 1)).

        Raises:
            ValueError: A key repeats.
        """
        pairs = list(items)
        self.keys: list[str] = [key for key, _ in pairs]
        if len(set(self.keys)) != len(self.keys):
            repeated = next(k for k, n in Counter(self.keys).items() if n > 1)
            raise ValueError(f"DuplicateIndex: key {repeated!r} given more than once")
        self.method: Method = method
        self._n = len(pairs)
        counts, vocabulary = self._count(pairs)
        self._vocabulary = vocabulary
        shape = counts.shape
        df = np.bincount(counts.indices, minlength=shape[1]).astype(np.float64)
        self._block = np.zeros(shape[1], dtype=np.int64)
        for term, col in vocabulary.items():
            self._block[col] = _BLOCKS.index(term[0])
        if method == "tfidf":
            self._idf = np.log((1.0 + self._n) / (1.0 + df)) + 1.0
            self._matrix = self._tfidf_matrix(counts)
        else:
            self._idf = np.log(1.0 + (self._n - df + 0.5) / (df + 0.5))
            lengths = np.asarray(counts.sum(axis=1)).ravel()
            average = max(float(lengths.mean()) if self._n else 0.0, 1e-9)
            norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / average)
            matrix = counts.copy()
            row_of = np.repeat(np.arange(shape[0]), np.diff(matrix.indptr))
            matrix.data = matrix.data * (BM25_K1 + 1) / (matrix.data + norm[row_of])
            self._matrix = matrix

    def _count(
        self, pairs: list[tuple[str, str]]
    ) -> tuple[sparse.csr_matrix, dict[str, int]]:
        """Term counts (texts x vocabulary) and the vocabulary.

        Counted as (texts x distinct words) @ (distinct words x word features):
        a word's features (the word and its character n-grams) are built once
        per distinct word, not once per occurrence, which keeps the build well
        under a second for the AIID snapshot.
        """
        vocabulary: dict[str, int] = {}
        word_ids: dict[str, int] = {}
        # Built directly in CSR form (rows arrive in order): going through COO
        # would sort every matrix, which took most of the build time.
        occurrences: list[int] = []
        occurrence_ptr = [0]
        bigram_cols: list[int] = []
        bigram_ptr = [0]
        for _, text in pairs:
            words = content_words(text)
            occurrences.extend(word_ids.setdefault(w, len(word_ids)) for w in words)
            occurrence_ptr.append(len(occurrences))
            if self.method == "tfidf":
                bigram_cols.extend(
                    vocabulary.setdefault(f"b:{a} {b}", len(vocabulary))
                    for a, b in zip(words, words[1:], strict=False)
                )
            bigram_ptr.append(len(bigram_cols))
        features: list[int] = []
        feature_ptr = [0]
        for word in word_ids:  # insertion order is id order
            own = ["w:" + word]
            if self.method == "tfidf":
                own.extend(_char_grams(word))
            features.extend(vocabulary.setdefault(t, len(vocabulary)) for t in own)
            feature_ptr.append(len(features))
        size = len(vocabulary)

        def ones(
            indices: list[int], indptr: list[int], width: int
        ) -> sparse.csr_matrix:
            return sparse.csr_matrix(
                (np.ones(len(indices)), np.asarray(indices, dtype=np.int64), indptr),
                shape=(len(indptr) - 1, width),
            )

        counts = ones(occurrences, occurrence_ptr, len(word_ids)) @ ones(
            features, feature_ptr, size
        ) + ones(bigram_cols, bigram_ptr, size)
        counts = counts.tocsr()
        counts.sum_duplicates()
        return counts, vocabulary

    def _features(self, text: str) -> list[str]:
        features = text_features(text)
        if self.method == "bm25":
            return [f for f in features if f.startswith("w:")]
        return features

    def _tfidf_matrix(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Sublinear TF-IDF, each block L2-normalised and weighted, then rows normalised."""
        matrix = counts.copy()
        matrix.data = (1.0 + np.log(matrix.data)) * self._idf[matrix.indices]
        row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        block_of = self._block[matrix.indices]
        squares = np.zeros((matrix.shape[0], len(_BLOCKS)))
        np.add.at(squares, (row_of, block_of), matrix.data**2)
        weights = np.array([_BLOCK_WEIGHTS[b] for b in _BLOCKS])
        scale = np.divide(
            weights, np.sqrt(squares), out=np.zeros_like(squares), where=squares > 0
        )
        matrix.data = matrix.data * scale[row_of, block_of]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix.data = matrix.data / norms[row_of]
        return matrix

    def _tfidf(self, features: list[str]) -> dict[int, float]:
        """A query's vector, as `_tfidf_matrix` builds the index's rows.

        Terms the index has never seen count toward the norm (with the largest
        idf), so that a query full of unknown words scores low, not high.
        """
        blocks: dict[str, dict[str, float]] = {}
        unseen = math.log(1.0 + self._n) + 1.0
        for term, count in Counter(features).items():
            col = self._vocabulary.get(term)
            idf = self._idf[col] if col is not None else unseen
            blocks.setdefault(term[0], {})[term] = (1.0 + math.log(count)) * idf
        vector: dict[int, float] = {}
        total = 0.0
        for block, weights in blocks.items():
            norm = math.sqrt(sum(v * v for v in weights.values()))
            scale = _BLOCK_WEIGHTS[block] / norm
            for term, value in weights.items():
                total += (value * scale) ** 2
                col = self._vocabulary.get(term)
                if col is not None:
                    vector[col] = value * scale
        # Normalise over all blocks present, so a score is a cosine in [0, 1].
        root = math.sqrt(total) or 1.0
        return {col: value / root for col, value in vector.items()}

    def _scores(self, text: str) -> NDArray[np.float64]:
        """The text's score against every indexed incident, in index order."""
        features = self._features(text)
        if self.method == "tfidf":
            vector = self._tfidf(features)
        else:
            vector = {
                self._vocabulary[t]: float(self._idf[self._vocabulary[t]])
                for t in set(features)
                if t in self._vocabulary
            }
        # A dense query times the CSR index is one pass over the index's non-zeros.
        query = np.zeros(len(self._vocabulary))
        if vector:
            query[np.fromiter(vector.keys(), dtype=np.int64)] = np.fromiter(
                vector.values(), dtype=np.float64
            )
        scores = np.asarray(self._matrix @ query, dtype=np.float64)
        if self.method == "bm25":
            scores = scores / (scores + 1.0)
        return scores

    def __len__(self) -> int:
        """The number of indexed incidents."""
        return self._n

    def suggest(self, text: str, k: int = 5) -> list[Suggestion]:
        """The `k` stored incidents most similar to `text`, best first.

        Args:
            text: The new report's text (title, and body or summary if known).
            k: How many suggestions at most.

        Returns:
            Up to `k` suggestions with a score above zero; ties keep index order.
        """
        return self.suggest_many([text], k)[0]

    def suggest_many(self, texts: Sequence[str], k: int = 5) -> list[list[Suggestion]]:
        """`suggest` for several texts.

        Args:
            texts: The new reports' texts.
            k: How many suggestions at most per text.

        Returns:
            One list of suggestions per text, in order.
        """
        if not texts or self._n == 0 or k <= 0:
            return [[] for _ in texts]
        scores = [self._scores(text) for text in texts]
        results: list[list[Suggestion]] = []
        for row in scores:
            # Stable sort on -score keeps index order among ties: deterministic.
            order = np.argsort(-row, kind="stable")[:k]
            results.append(
                [
                    Suggestion(
                        key=self.keys[i],
                        score=round(min(1.0, max(0.0, float(row[i]))), 6),
                        rank=rank,
                    )
                    for rank, i in enumerate(order, 1)
                    if row[i] > 0
                ]
            )
        return results
