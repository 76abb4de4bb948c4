"""The character-gram block: the training matrix and the cached scorer compute one function."""

from __future__ import annotations

import numpy as np

from onward.classify.chars import (
    MAX_WORD,
    N_GRAM_BUCKETS,
    GramScorer,
    document_frequency,
    gram_matrix,
    grams,
    idf_of,
)

DOCS = [
    ["candidature", "retenue", "interview", "interview", "x" * (MAX_WORD + 5)],
    [],
    ["merci", "candidat"],
    ["interviews", "entretien", "entretiens", "candidature"],
]


def test_training_rows_and_prediction_scores_agree() -> None:
    rng = np.random.default_rng(7)
    table = rng.normal(size=(N_GRAM_BUCKETS, 9)).astype(np.float32)
    idf = idf_of(document_frequency(DOCS), len(DOCS))
    want = gram_matrix(DOCS, idf) @ table
    scorer = GramScorer(table, idf)
    got = scorer.scores(DOCS)
    assert np.allclose(got, want, atol=1e-4)
    # Cached rows give the same answer the second time, in another order.
    assert np.allclose(scorer.scores(DOCS[::-1]), want[::-1], atol=1e-4)


def test_an_inflected_word_shares_most_grams_with_its_stem() -> None:
    a, b, c = set(grams("candidature")), set(grams("candidatures")), set(grams("shipping"))
    assert len(a & b) / len(a) > 0.7
    assert not a & c


def test_a_document_row_has_unit_length_and_an_empty_one_is_zero() -> None:
    idf = idf_of(document_frequency(DOCS), len(DOCS))
    m = gram_matrix([["interview"], []], idf)
    assert np.isclose(np.sqrt(m[0].multiply(m[0]).sum()), 1.0)
    assert m[1].nnz == 0
    assert not grams("y" * (MAX_WORD + 1)).size
