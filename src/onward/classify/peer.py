"""The plain peer every change to the model is measured against (issue 13; needs scikit-learn).

TF-IDF of word 1-2 grams and character 3-5 grams (sublinear tf) over the sender, the subject
and the first 3,000 characters of body text; logistic regression (C=10, balanced classes);
the likeliest kind. Nothing else: no phrase lists, no sender knowledge, no caution. Hashed
instead of a vocabulary so the text is read once for all folds; the IDF is still fitted on
each fold's training rows alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from onward.classify import KINDS
from onward.mail.model import Email

BODY = 3000
C = 10.0
FEATURES = 1 << 20


def peer_text(email: Email) -> str:
    s = email.sender
    sender = f"{s.name} {s.email}" if s else ""
    return f"{sender}\n{email.subject}\n{email.text[:BODY]}"


def counts(emails: Sequence[Email]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    from sklearn.feature_extraction.text import HashingVectorizer

    docs = [peer_text(e) for e in emails]
    opts = {"n_features": FEATURES, "alternate_sign": False, "norm": None}
    words = HashingVectorizer(ngram_range=(1, 2), **opts)
    chars = HashingVectorizer(analyzer="char", ngram_range=(3, 5), **opts)
    return words.transform(docs), chars.transform(docs)


def fold_probabilities(
    xw: sparse.csr_matrix,
    xc: sparse.csr_matrix,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
) -> np.ndarray:
    """The peer trained on `train` rows, its probabilities for `test` rows (one per kind)."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    tw = TfidfTransformer(sublinear_tf=True).fit(xw[train])
    tc = TfidfTransformer(sublinear_tf=True).fit(xc[train])

    def rows(idx: np.ndarray) -> sparse.csr_matrix:
        return sparse.hstack([tw.transform(xw[idx]), tc.transform(xc[idx])]).tocsr()

    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
    clf.fit(rows(train), y[train])
    out = np.zeros((len(test), len(KINDS)))
    out[:, clf.classes_] = clf.predict_proba(rows(test))
    return out
