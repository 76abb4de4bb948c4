"""Corrections stay local: they teach onward about the corrected sender's mail, and move
no other employer's verdict or confidence (issue 14, item 5)."""

from __future__ import annotations

from pathlib import Path

from onward.classify.learn import LocalAdjustment, sender_key
from onward.classify.model import Classifier, Verdict, shipped
from onward.classify.sender import sender_info
from onward.mail.model import Email
from onward.mail.parse import parse_message
from tests import jobmail
from tests.factory import message

BOUND = 0.02  # how far an unrelated message's confidence may move


def _mail(i: int, sender: str, subject: str, body: str) -> Email:
    return parse_message(message(i, subject=subject, body=body, sender=sender))


def _candidacy(i: int, role: str) -> Email:
    return _mail(
        i,
        "Quirkyco Talent <talent@quirkyco.example>",
        f"Candidacy status update: {role}",
        f"Hello Sam,\n\nThe status of your candidacy for {role} (req {1000 + i}) has changed "
        "to: Closed.\nThis requisition is now archived in our system.\n\nQuirkyco Talent",
    )


def _corrections() -> list[tuple[Email, str]]:
    """Seven corrections as a new user makes them: templates and hand-written mail the
    shipped model reads wrongly or doubtfully, from seven senders none of whom is in
    `jobmail.EMPLOYERS`."""
    return [
        (_candidacy(101, "Data Analyst"), "rejection"),
        (_candidacy(102, "BI Developer"), "rejection"),
        (
            _mail(
                103,
                "Jo Park <jo.park@gmail.com>",
                "Re: Data Analyst",
                "Hi Sam,\n\nThanks again for your time. Unfortunately we decided to go with "
                "another candidate for the position. I wish you the best of luck.\n\nJo",
            ),
            "rejection",
        ),
        (
            _mail(
                104,
                "Mina Choi <mina@lumenlabs.example>",
                "Re: Your application",
                "Hi Sam,\n\nThe team enjoyed your application. Could you do a call on "
                "Thursday at 3pm with our engineering lead? Let me know what works.\n\nMina",
            ),
            "interview",
        ),
        (
            _mail(
                105,
                "Ravi Shah <ravi@fernfig.example>",
                "Next steps",
                "Hi Sam,\n\nWe are delighted to offer you the Backend Engineer position. "
                "The written offer with salary and start date is attached.\n\nRavi",
            ),
            "offer",
        ),
        (
            _mail(
                106,
                "Alex <alex.friend@yahoo.com>",
                "dinner",
                "Hey Sam, unfortunately I can't make it to dinner on Friday, the team "
                "offsite moved. Rain check?\n\nAlex",
            ),
            "not_job",
        ),
        (
            _mail(
                107,
                "Careers <careers@bluepeak.example>",
                "Application status",
                "Dear candidate,\n\nYour application status is now: not selected. Thank you "
                "for your interest in Bluepeak.\n\nBluepeak Careers",
            ),
            "rejection",
        ),
    ]


def _unrelated() -> list[Email]:
    """Other employers' mail: rejections written by a person and sent through an ATS,
    confirmations, a hiring pause, and a book club."""
    out = [parse_message(jobmail.rejection(i, human=h)) for i in range(6) for h in (False, True)]
    for i, (company, domain) in enumerate(jobmail.EMPLOYERS):
        out.append(
            _mail(
                200 + i,
                f"{company} Recruiting <jobs@{domain}>",
                f"Thank you for applying to {company}",
                f"Hi Sam,\n\nThank you for applying to {company}! We have received your "
                "application and our team will review it.\n",
            )
        )
    out.append(
        _mail(
            210,
            "Globex Talent <talent@globex.com>",
            "An update on your application",
            "Hi Sam,\n\nWe wanted to let you know that hiring for this role is paused for "
            "now. We will reach out when the search resumes.\n\nGlobex Talent",
        )
    )
    return out + [parse_message(jobmail.other(i)) for i in range(3)]


def _moved(before: list[Verdict], after: list[Verdict]) -> list[tuple[str, str, float, float]]:
    return [
        (b.kind, a.kind, round(b.confidence, 3), round(a.confidence, 3))
        for b, a in zip(before, after, strict=True)
        if (b.kind, b.needs_review) != (a.kind, a.needs_review)
        or abs(b.confidence - a.confidence) > BOUND
    ]


def test_corrections_do_not_move_other_employers_verdicts_or_confidences() -> None:
    weights = shipped()
    corrections = _corrections()
    local = LocalAdjustment.learn(weights, corrections)
    plain, learnt = Classifier(weights), Classifier(weights, local)
    unrelated = _unrelated()
    assert _moved(plain.classify_many(unrelated), learnt.classify_many(unrelated)) == []
    # Each correction is still learnt: the corrected messages read as corrected.
    for email, kind in corrections:
        assert learnt.classify(email).kind == kind


def test_the_corrected_senders_next_message_is_read_as_corrected() -> None:
    weights = shipped()
    local = LocalAdjustment.learn(weights, _corrections())
    later = _candidacy(120, "Data Engineer")
    assert Classifier(weights).classify(later).kind != "rejection"
    v = Classifier(weights, local).classify(later)
    assert (v.kind, v.needs_review) == ("rejection", False)


def test_corrections_do_not_move_corpus_mail_from_other_employers(corpus: Path) -> None:
    from onward.classify.train import load_corpus

    examples = load_corpus(corpus)
    rejections = [ex.email for ex in examples if ex.kind == "rejection" and ex.email.sender]
    corrected = rejections[:: max(1, len(rejections) // 7)][:7]
    corrections = [(e, "interview") for e in corrected[:3]] + [
        (e, "rejection") for e in corrected[3:]
    ]
    corrections += _corrections()
    weights = shipped()
    local = LocalAdjustment.learn(weights, corrections)
    corrected_senders = {sender_key(sender_info(e)) for e, _ in corrections}
    others = [
        ex.email
        for ex in examples
        if ex.kind != "not_job" and sender_key(sender_info(ex.email)) not in corrected_senders
    ]
    plain, learnt = Classifier(weights), Classifier(weights, local)
    assert _moved(plain.classify_many(others), learnt.classify_many(others)) == []


def test_a_correction_teaches_a_language_the_model_cannot_read() -> None:
    # A Portuguese decline: under half its words are known to the shipped model, so it waits
    # for review whatever the model says. Once the person has labelled one from this employer,
    # the next is decided: what they taught counts as known.
    def decline(i: int, role: str) -> Email:
        return _mail(
            i,
            "Recursos Humanos <rh@padaria-aurora.example>",
            "Atualização da sua candidatura",
            f"Olá Mariana,\n\nAgradecemos a sua candidatura à vaga de {role}. Após análise "
            "cuidadosa, optámos por seguir com outra pessoa cujo perfil está mais alinhado com "
            "as necessidades atuais da equipa.\n\nDesejamos-lhe muito sucesso.\n\nPadaria Aurora",
        )

    first, second = decline(201, "Designer de Produto"), decline(202, "Designer UX")
    assert Classifier().classify(second).needs_review
    local = LocalAdjustment.learn(shipped(), [(first, "rejection")])
    v = Classifier(local=local).classify(second)
    assert (v.kind, v.needs_review) == ("rejection", False)
