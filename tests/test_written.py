"""The written training mail: reproducible, one language per message, never scored."""

from onward.classify import KINDS
from onward.classify.evaluation import Held, splits
from onward.classify.written import SAY, SOURCE, generate


def test_the_written_mail_is_the_same_every_run_and_covers_every_kind_it_teaches():
    first = [(w.kind, w.email.subject, w.email.text) for w in generate(20)]
    again = [(w.kind, w.email.subject, w.email.text) for w in generate(20)]
    assert first == again
    assert {k for k, _, _ in first} == set(SAY) and set(SAY) <= set(KINDS)


def test_a_written_message_keeps_to_one_language():
    french, german = ("Nous ", "Le poste", "Seriez", "Vous "), ("Leider", "Die Stelle", "Wir ")
    for w in generate(60):
        body = w.email.text
        assert not (any(f in body for f in french) and any(g in body for g in german))
        if any(g in body for g in german):
            assert "We've" not in body and "We'd" not in body


def test_written_mail_is_trained_on_but_never_scored():
    held = [Held(SOURCE, "", "", False)] * 3 + [Held("clarkpfohl", "x.com", "acme", True)] * 2
    held += [Held("sethpoly", "y.com", "", True)] * 2
    scored = {int(i) for _, _, test in splits(held) for i in test}
    trained = {int(i) for _, train, _ in splits(held) for i in train}
    assert scored.isdisjoint({0, 1, 2}) and {0, 1, 2} <= trained
