from __future__ import annotations

from pathlib import Path

from benchmarks.linking import evaluate


def test_no_application_mixes_two_employers_on_the_corpus(corpus: Path) -> None:
    result = evaluate(corpus)
    assert result["linked"] > 300
    assert result["applications_with_two_employers"] == 0, result["examples_of_mixing"]
