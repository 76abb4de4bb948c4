"""The classifier: its CLI on every input kind, caution, extraction, learning from corrections."""

from __future__ import annotations

import json
import mailbox
import subprocess
from pathlib import Path

import numpy as np
import pytest

from onward.classify import KINDS
from onward.classify.extract import extract
from onward.classify.model import Classifier, Weights, shipped
from onward.classify.rules import decision_pending
from onward.mail.parse import parse_message
from tests.factory import mbox_bytes, message
from tests.runner import run

REJECTION = (
    "Hi Sam,\n\nThank you for applying for the Data Analyst position at Acme Robotics. "
    "After careful consideration, we have decided to move forward with other candidates "
    "whose experience more closely matches our needs.\n\nAcme Robotics Recruiting"
)
CONFIRMATION = (
    "Hi Sam,\n\nThank you for applying to Acme Robotics! We have received your "
    "application for the Data Analyst role and our team will review it.\n"
)


def jsonl(done: subprocess.CompletedProcess[str]) -> list[dict]:
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_classify_jsonl_on_all_four_input_kinds(tmp_path: Path) -> None:
    home = tmp_path / "home"
    msgs = [
        message(1, subject="Update on your application", body=REJECTION),
        message(2, subject="Thank you for applying to Acme Robotics", body=CONFIRMATION),
    ]
    eml = tmp_path / "one.eml"
    eml.write_bytes(msgs[0])
    folder = tmp_path / "emls" / "sub"
    folder.mkdir(parents=True)
    (folder / "a.eml").write_bytes(msgs[0])
    (folder / "b.eml").write_bytes(msgs[1])
    mbox = tmp_path / "m.mbox"
    mbox.write_bytes(mbox_bytes(msgs))
    md = mailbox.Maildir(tmp_path / "Maildir", create=True)
    keys = [md.add(m) for m in msgs]

    keys_wanted = {
        "path",
        "message_id",
        "kind",
        "confidence",
        "needs_review",
        "company",
        "role",
        "ats",
    }
    one = jsonl(run("classify", str(eml), "--jsonl", home=home))
    assert len(one) == 1 and set(one[0]) == keys_wanted
    assert one[0]["path"] == str(eml) and one[0]["kind"] == "rejection"
    assert one[0]["company"] == "Acme Robotics" and one[0]["role"] == "Data Analyst"
    assert one[0]["ats"] == "Greenhouse"

    rows = jsonl(run("classify", str(tmp_path / "emls"), "--jsonl", home=home))
    assert sorted(r["path"] for r in rows) == sorted(str(folder / n) for n in ("a.eml", "b.eml"))
    assert {r["kind"] for r in rows} == {"rejection", "application_received"}

    rows = jsonl(run("classify", str(mbox), "--jsonl", home=home))
    assert [r["path"].rsplit(":", 1)[0] for r in rows] == [str(mbox)] * 2
    assert rows[0]["path"] == f"{mbox}:0"
    assert [r["kind"] for r in rows] == ["rejection", "application_received"]

    rows = jsonl(run("classify", str(tmp_path / "Maildir"), "--jsonl", "--explain", home=home))
    assert sorted(r["path"] for r in rows) == sorted(f"{tmp_path / 'Maildir'}:{k}" for k in keys)
    assert all(r["reasons"] for r in rows)
    assert not home.exists()  # classify stores nothing


def test_explain_names_phrases_sender_and_features() -> None:
    e = parse_message(message(1, subject="Update on your application", body=REJECTION))
    v = Classifier().classify(e, explain=True)
    text = " ".join(v.reasons)
    assert "sent through Greenhouse" in text
    assert '"decided to move forward with"' in text
    assert "top features:" in text


def _weights(bias: list[float]) -> Weights:
    k = len(KINDS)
    return Weights(
        KINDS, np.zeros((4, k), np.float32), np.array(bias, np.float32), np.ones(4, bool), 1.0
    )


def test_a_possible_interview_is_never_called_a_rejection() -> None:
    logp = np.log([0.01, 0.70, 0.22, 0.02, 0.01, 0.01, 0.01, 0.01, 0.01])
    clf = Classifier(_weights(logp.tolist()))
    kind, _, review, reasons = clf.decide(logp, known=1.0)
    assert kind == "interview" and review
    assert "not a rejection" in reasons[0]
    sure = np.log([0.005, 0.96, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005])
    assert clf.decide(sure, known=1.0)[:3:2] == ("rejection", False)


def test_a_rejection_that_says_the_application_is_still_to_be_reviewed_is_a_confirmation() -> None:
    sure = np.log([0.005, 0.96, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005])
    clf = Classifier(_weights(sure.tolist()))
    kind, _, review, reasons = clf.decide(sure, known=1.0, pending=lambda: True)
    assert (kind, review) == ("application_received", True)
    assert "still to be reviewed" in reasons[0]
    assert clf.decide(sure, known=1.0, pending=lambda: False)[:3:2] == ("rejection", False)


@pytest.mark.parametrize(
    "text",
    [
        "we look forward to reviewing your application. if you have not heard from us within "
        "four weeks, please assume you have not been shortlisted.",
        "our team will carefully review your application and contact shortlisted candidates.",
        "your application is currently under review; due to the volume we cannot reply to all.",
        "wir werden ihre bewerbung sorgfältig prüfen und melden uns.",
        "nous allons étudier votre candidature avec attention.",
        "revisaremos tu candidatura y te contactaremos si tu perfil encaja.",
        "sua candidatura será analisada pela equipe.",
        "we gaan je sollicitatie zorgvuldig bekijken.",
    ],
)
def test_wording_of_a_decision_still_to_come(text: str) -> None:
    assert decision_pending(text)


@pytest.mark.parametrize(
    "text",
    [
        "we have reviewed your application and will not be moving forward.",
        "you are no longer under consideration for this role.",
        "we will keep your cv on file and will consider you for future roles.",
        "after careful review, we have decided to pursue other candidates.",
        "hemos revisado tu candidatura y lamentablemente no continuarás en el proceso.",
    ],
)
def test_a_decision_made_is_not_one_still_to_come(text: str) -> None:
    assert not decision_pending(text)


def test_unknown_language_is_not_confident_job_mail() -> None:
    texts = [
        (
            "求人のお知らせ",
            "山田様、このたびはご応募いただきありがとうございました。慎重に検討した結果、今回は見送らせていただくことになりました。",
        ),
        (
            "Ваша заявка",
            "Здравствуйте! К сожалению, мы не можем предложить вам эту должность. Спасибо за интерес.",
        ),
    ]
    clf = Classifier()
    for subject, body in texts:
        v = clf.classify(
            parse_message(message(5, subject=subject, body=body, sender="HR <hr@firma.example>"))
        )
        assert v.kind == "not_job" or v.needs_review


@pytest.mark.parametrize(
    ("sender", "subject", "body", "company"),
    [
        ("Acme Corp via Greenhouse <no-reply@greenhouse.io>", "Thanks!", "We got it.", "Acme Corp"),
        (
            "LinkedIn <jobs-noreply@linkedin.com>",
            "Sam, your application was sent to Globex Industries",
            "Your application was sent to Globex Industries",
            "Globex Industries",
        ),
        (
            "Talent Acquisition <careers@initech.example>",
            "Your application",
            "Thanks for applying.",
            "Initech",
        ),
        (
            "Workday <umbrella@myworkday.com>",
            "Application received",
            "Thank you for applying to Umbrella Health for the Nurse Analyst position.",
            "Umbrella Health",
        ),
        (
            "WTTJ <no-reply@welcometothejungle.com>",
            "Votre candidature chez Maison Lumière",
            "Merci pour votre candidature.",
            "Maison Lumière",
        ),
    ],
)
def test_company_is_the_employer_not_the_ats_or_board(sender, subject, body, company) -> None:
    assert (
        extract(parse_message(message(1, sender=sender, subject=subject, body=body))).company
        == company
    )


def test_model_file_is_safe_and_complete() -> None:
    from onward.classify.model import WEIGHTS

    with np.load(WEIGHTS, allow_pickle=False) as z:  # plain arrays: nothing to unpickle
        assert set(z.files) == {
            *("rows", "weights", "bias"),
            *("gram_rows", "gram_weights", "gram_scale", "gram_idf"),
        }
    assert shipped().kinds == KINDS and shipped().version


def test_a_correction_teaches_the_next_message_from_that_sender_and_template(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"

    def candidacy(i: int, role: str) -> bytes:
        return message(
            i,
            sender="Quirkyco Talent <talent@quirkyco.example>",
            subject=f"Candidacy status update: {role}",
            body=f"Hello Sam,\n\nThe status of your candidacy for {role} (req {1000 + i}) "
            "has changed to: Closed.\nThis requisition is now archived in our "
            "system.\n\nQuirkyco Talent",
        )

    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([candidacy(1, "Data Analyst")]))
    later = tmp_path / "later.eml"
    later.write_bytes(candidacy(2, "BI Developer"))
    before = jsonl(run("classify", str(later), "--jsonl", home=home))[0]
    assert before["kind"] != "rejection"  # the shipped model alone gets this template wrong

    assert run("scan", str(box), home=home).returncode == 0
    done = run("label", "<test-1@onward.test>", "rejection", home=home)
    assert done.returncode == 0, done.stderr
    after = jsonl(run("classify", str(later), "--jsonl", home=home))[0]
    assert after["kind"] == "rejection" and not after["needs_review"]

    # An unrelated confirmation from the same sender keeps its own kind.
    confirm = tmp_path / "confirm.eml"
    confirm.write_bytes(
        message(
            3,
            sender="Quirkyco Talent <talent@quirkyco.example>",
            subject="Thank you for applying to Quirkyco",
            body=CONFIRMATION,
        )
    )
    assert (
        jsonl(run("classify", str(confirm), "--jsonl", home=home))[0]["kind"]
        == "application_received"
    )
    # The next scan stores the corrected kind for new mail of that template.
    with open(box, "ab") as f:
        f.write(mbox_bytes([candidacy(4, "Data Engineer")]))
    assert run("scan", str(box), home=home).returncode == 0
    from onward.store import Store

    store = Store.for_path(home / "onward.db")
    kinds = {r["subject"]: r["kind"] for r in store.find_emails("<test-4@onward.test>")}
    assert kinds == {"Candidacy status update: Data Engineer": "rejection"}
    assert [c["kind"] for c in store.corrections()] == ["rejection"]


def test_label_rejects_unknown_kind_and_message(tmp_path: Path) -> None:
    home = tmp_path / "home"
    box = tmp_path / "in.mbox"
    box.write_bytes(mbox_bytes([message(1)]))
    run("scan", str(box), home=home)
    bad_kind = run("label", "<test-1@onward.test>", "maybe", home=home)
    assert bad_kind.returncode == 1 and "not a kind" in bad_kind.stderr
    missing = run("label", "<nope@x>", "rejection", home=home)
    assert missing.returncode == 1 and "No scanned email" in missing.stderr


def test_diffuse_doubt_is_not_an_interview() -> None:
    """Mail in a language the model barely knows spreads a little probability over every kind;
    that spread alone must not turn a clear rejection into an "interview"."""
    logp = np.log([0.05, 0.55, 0.04, 0.05, 0.03, 0.03, 0.05, 0.03, 0.17])
    kind, _, review, _ = Classifier(_weights(logp.tolist())).decide(logp, known=1.0)
    assert kind == "rejection" and review  # below the rejection threshold: a person confirms


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("after careful review, we won't be moving forward with your application.", ["rejection"]),
        ("you are no longer being considered for this role.", ["rejection"]),
        ("the position you applied for has been filled.", ["rejection"]),
        ("malheureusement, votre candidature n'a pas été retenue.", ["rejection"]),
        ("nous avons décidé de ne pas donner suite à votre candidature.", ["rejection"]),
        (
            "https://www.linkedin.com/comm/x?trk=eml-email_jobs_application_rejected_01-help",
            ["rejection"],
        ),
        # what silence will mean, in a confirmation, is not a decision
        ("we will be in touch. if you are not selected, we will keep your resume on file.", []),
        (
            "sans réponse sous trois semaines, considérez que votre candidature n'a pas été retenue.",
            [],
        ),
        ("we'd like to move forward with scheduling an interview.", []),
        ("if you no longer wish to be considered, withdraw your application.", []),
        ("so they won't be taking you forward to interview on this one.", ["rejection"]),
        ("this vacancy has been withdrawn following a restructure.", ["rejection"]),
        ("lamentamos comunicarle que su candidatura no ha sido seleccionada.", ["rejection"]),
        ("hemos decidido seguir adelante con otros candidatos para el puesto.", ["rejection"]),
        ("helaas gaan we niet verder met je sollicitatie.", ["rejection"]),
        ("purtroppo la sua candidatura non è stata selezionata.", ["rejection"]),
        ("infelizmente, a sua candidatura não foi selecionada.", ["rejection"]),
        ("die stelle wurde inzwischen intern besetzt.", ["rejection"]),
        ("nos gustaría invitarte a una entrevista el martes.", ["interview"]),
        ("we willen je graag uitnodigen voor een gesprek.", ["interview"]),
        ("you have been selected to move on to the next stage.", ["interview"]),
        ("i've booked you in for thursday at 10am at their office.", ["interview"]),
        ("please find below your invitation to a second interview.", ["interview"]),
        ("we have offered the position to another candidate.", ["rejection"]),
        ("the role was offered to someone else.", ["rejection"]),
        ("we are pleased to offer you the position.", []),
        # "unfortunately" opens a reschedule as well as a decline
        ("leider müssen wir ihre bewerbung absagen.", ["rejection"]),
        (
            "helaas kon ik je niet bereiken. graag plannen we je sollicitatiegesprek opnieuw in.",
            ["interview"],
        ),
        (
            "lamentablemente tenemos que cambiar la hora de tu entrevista para el puesto.",
            ["interview"],
        ),
        # ... and a decline after an interview keeps a decline's own cue
        (
            "vielen dank für das vorstellungsgespräch. leider können wir ihnen keine zusage geben.",
            ["rejection", "interview"],
        ),
        ("wir haben noch keine zusage von ihnen zum vorstellungsgespräch erhalten.", ["interview"]),
        (
            "obrigado pela entrevista. infelizmente optamos por seguir com outro candidato.",
            ["rejection", "interview"],
        ),
        (
            "grazie per il colloquio. purtroppo abbiamo deciso di proseguire con un altro "
            "candidato.",
            ["rejection", "interview"],
        ),
        ("hemos recibido correctamente tu candidatura.", ["application_received"]),
        ("wir bestätigen den eingang ihrer bewerbung.", ["application_received"]),
        # session 31: a person's one-line decline, invitations in a person's words, German
        # and Polish
        ("thanks for the cv. sorry mate, we filled the bar manager spot last week.", ["rejection"]),
        (
            "after the interview we've decided to give the head chef job to someone else.",
            ["rejection"],
        ),
        ("thanks for the interview. in the end we've gone with someone else.", ["rejection"]),
        ("wir haben uns für eine kandidatin entschieden, die schon vor ort lebt.", ["rejection"]),
        ("zdecydowaliśmy się kontynuować rozmowy z innym kandydatem.", ["rejection"]),
        ("niestety pana kandydatura na stanowisko kierownika nie została wybrana.", ["rejection"]),
        ("we are pleased to invite you to attend an interview on monday.", ["interview"]),
        ("got your application. could you come in on friday for a chat?", ["interview"]),
        ("can you do a trial shift saturday? bring your cv.", ["interview"]),
        ("the client read your cv and would like to meet you next week.", ["interview"]),
        (
            "thanks for applying. the next step is an in-store meeting with our area manager.",
            ["interview"],
        ),
        ("kommen sie gerne zum probearbeiten am samstag.", ["interview"]),
        ("chcielibyśmy zaprosić pana na rozmowę kwalifikacyjną.", ["interview"]),
        ("otrzymaliśmy twoją aplikację na stanowisko kierownika.", ["application_received"]),
        # ... and not: a club, a budget meeting, a friend's new job, an app, a support ticket
        ("we filled the position of treasurer at the club.", []),
        ("can we meet tuesday about the budget? the role of marketing is on the agenda.", []),
        (
            "are you free thursday? i'd like to schedule a call to go over the resume of the project.",
            [],
        ),
        ("come by for coffee and tell me how the new job is going.", []),
        ("we'd like to invite you to join our trial of the new app.", []),
        ("our competition has been suspended due to rain.", []),
        ("niestety, produkt jest niedostępny. pobierz naszą aplikację mobilną!", []),
        ("otrzymaliśmy zgłoszenie serwisowe i dziękujemy za przesłanie zgłoszenia.", []),
        # ... and not: a supplier, a visitor, a friend's plan, an offer
        ("we went with another supplier for the linen this season.", []),
        ("the plumber will come in on friday to fix the tap.", []),
        ("we've filled the form and sent it to the council.", []),
        ("wir haben uns für sie entschieden und freuen uns auf die zusammenarbeit.", []),
        # not decisions: a condition, an office that is closed, a helping hand
        ("if we are not taking your application forward, we will let you know.", []),
        ("unser büro ist am montag geschlossen.", []),
        ("take the next step with our free course.", []),
    ],
)
def test_decision_cues_in_several_languages(text: str, kinds: list[str]) -> None:
    from onward.classify.features import words
    from onward.classify.rules import cue_kinds

    assert cue_kinds(text, set(words(text))) == kinds


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # an agency's rule, and a step still to come, are not a decline
        (
            "please do not put your cv forward for this role through another agency.",
            [],
        ),
        ("we don't put your cv forward without your consent.", []),
        ("our client does not put your cv forward without consent.", []),
        ("i haven't put you forward yet; the client confirms slots on monday.", []),
        # what silence will mean, in the languages of these cues
        (
            "se non riceverai risposta entro 30 giorni, la tua candidatura non è stata selezionata.",
            [],
        ),
        ("caso não receba resposta, considere que não foi selecionada para a vaga.", []),
        (
            "als je binnen twee weken niets hoort, ben je helaas niet door naar de volgende ronde "
            "van de sollicitatie.",
            [],
        ),
        (
            "sollten sie in vier wochen keine nachricht erhalten, konnten wir ihre bewerbung "
            "nicht berücksichtigen.",
            [],
        ),
        # an invitation that says the post is still open, or that wishes will be met
        (
            "die stelle ist noch nicht besetzt - wir laden sie zum vorstellungsgespräch ein.",
            ["interview"],
        ),
        (
            "keine sorge, wir werden ihre wünsche berücksichtigen. wir laden sie zum "
            "vorstellungsgespräch ein.",
            ["interview"],
        ),
        # the declines these cues are for still read as declines
        (
            "leider können wir keine der eingegangenen bewerbungen weiter berücksichtigen.",
            ["rejection"],
        ),
        ("leider konnte ihre bewerbung keine berücksichtigung finden.", ["rejection"]),
        ("the client will not be taking you forward.", ["rejection"]),
    ],
)
def test_no_decline_cue_in_a_rule_a_condition_or_an_invitation(text: str, kinds: list[str]) -> None:
    from onward.classify.features import words
    from onward.classify.rules import cue_kinds

    assert cue_kinds(text, set(words(text))) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "ready to move on to the next step in your career? upgrade to premium today.",
        "now that you've finished module 3, you can progress to the next stage of the course.",
        "hoy: la entrevista con la ministra de trabajo sobre el empleo juvenil.",
        "giovedì sera: colloquio con l'autore sul suo nuovo romanzo sul lavoro.",
        "je aanvraag voor een parkeervergunning is afgewezen. vragen over werk? kijk op werkenbij.",
    ],
)
def test_no_decision_cue_in_a_course_an_upsell_a_newspaper_or_a_permit(text: str) -> None:
    """Each of these, alone in a message, made it an interview or a rejection."""
    from onward.classify.features import words
    from onward.classify.rules import cue_kinds

    assert cue_kinds(text, set(words(text))) == []


def test_a_phone_screen_from_a_scheduling_tool_reaches_the_model() -> None:
    raw = message(
        11,
        sender="Schedulr <notifications@schedulr.example>",
        subject="Confirmed: 30 Minute Phone Screen with Dana on Thursday",
        body="A new event has been scheduled. Dana will call you on the number you provided.",
    )
    assert not Classifier().classify(parse_message(raw)).model_version.endswith("+screen")


def test_mail_without_job_words_is_screened_but_job_senders_and_other_scripts_are_not() -> None:
    clf = Classifier()
    news = message(
        6,
        sender="Garden Club <news@garden.example>",
        subject="Tulip bulbs are here",
        body="Spring planting starts now: bulbs, compost and a workshop on pruning.",
    )
    v = clf.classify(parse_message(news), explain=True)
    assert (v.kind, v.needs_review) == ("not_job", False)
    assert v.model_version.endswith("+screen") and "no word job mail uses" in v.reasons[0]
    # The same words from an ATS, or in a script the stems do not cover, go to the model.
    ats = message(
        7,
        sender="Acme <no-reply@greenhouse.io>",
        subject="Tulip bulbs are here",
        body="Spring planting starts now.",
    )
    cyrillic = message(
        8,
        sender="HR <hr@firma.example>",
        subject="Ваша заявка",
        body="Здравствуйте! К сожалению, мы не можем предложить вам эту должность.",
    )
    for raw in (ats, cyrillic):
        assert not clf.classify(parse_message(raw)).model_version.endswith("+screen")


def test_a_correction_of_mail_without_job_words_turns_the_screen_off() -> None:
    from onward.classify.learn import LocalAdjustment

    odd = parse_message(
        message(
            9,
            sender="Pat Lee <pat@smallshop.example>",
            subject="Tuesday",
            body="Sorry Sam, we went with someone else. Best of luck, Pat",
        )
    )
    weights = shipped()
    assert Classifier(weights).classify(odd).model_version.endswith("+screen")
    local = LocalAdjustment.learn(weights, [(odd, "rejection")])
    v = Classifier(weights, local).classify(odd)
    assert not local.screen and v.kind == "rejection"


@pytest.mark.parametrize(
    "body",
    [
        "Leider haben wir uns für einen anderen Kandidaten entschieden.",
        "Niestety, proces rekrutacji został zakończony.",
        "Tack för din ansökan. Vi har tyvärr valt en annan kandidat.",
    ],
)
def test_job_mail_in_other_latin_languages_reaches_the_model(body: str) -> None:
    raw = message(10, sender="Firma <kontakt@firma.example>", subject="Ihre Nachricht", body=body)
    assert not Classifier().classify(parse_message(raw)).model_version.endswith("+screen")


def test_named_features_hash_to_the_buckets_the_batch_path_scores() -> None:
    from onward.classify.features import feature_names, hash_name, vector, vectors

    emails = [
        parse_message(message(11, body=REJECTION)),
        parse_message(message(12, subject="Re: Data Analyst", body=CONFIRMATION, html=True)),
        parse_message(message(13, sender="Ana <ana@mail.example>", subject="", body="x_y 42")),
    ]
    batch = vectors(emails, personal=True)
    for i, email in enumerate(emails):
        idx, _ = vector(email, personal=True)
        assert set(batch.of(i)[0].tolist()) == set(idx.tolist())
        assert {hash_name(n) for n in feature_names(email, personal=True)} == set(idx.tolist())


def test_ordinary_looking_mail_that_speaks_of_an_interview_is_left_alone_only_when_certain():
    logp = np.log([0.01, 0.01, 0.04, 0.005, 0.005, 0.005, 0.005, 0.005, 0.915])
    clf = Classifier(_weights(logp.tolist()))
    assert clf.decide(logp, known=1.0)[:3:2] == ("not_job", False)
    kind, _, review, reasons = clf.decide(logp, known=1.0, evidence=True)
    assert kind == "not_job" and review and "interview" in reasons[-1]
    certain = np.log([0.002, 0.002, 0.004] + [0.001] * 5 + [0.987])
    assert clf.decide(certain, known=1.0, evidence=True)[:3:2] == ("not_job", False)


def test_job_talk_held_as_ordinary_mail_is_shown_as_an_interview_when_the_interview_has_weight():
    """An invitation deep in a thread reads as ordinary mail to a model taught by templates;
    held for review, it is put before the person as the interview it may be."""
    logp = np.log([0.02, 0.02, 0.12, 0.01, 0.01, 0.01, 0.01, 0.01, 0.79])
    clf = Classifier(_weights(logp.tolist()))
    kind, conf, review, reasons = clf.decide(logp, known=1.0, evidence=True)
    assert (kind, review) == ("interview", True) and abs(conf - 0.12) < 1e-6
    assert "might be an interview (12%)" in reasons
    # Without a word of a decision or a meeting, or with the interview below the bar, or when
    # the model is sure enough to decide, it stays ordinary mail.
    assert clf.decide(logp, known=1.0)[0] == "not_job"
    weak = np.log([0.02, 0.02, 0.08, 0.01, 0.01, 0.01, 0.01, 0.01, 0.83])
    assert clf.decide(weak, known=1.0, evidence=True)[:3:2] == ("not_job", True)
    sure = np.log([0.002, 0.002, 0.004] + [0.001] * 5 + [0.987])
    assert clf.decide(sure, known=1.0, evidence=True)[:3:2] == ("not_job", False)


def test_a_recruiters_note_from_a_personal_address_is_not_filed_as_ordinary_mail():
    """Two lines from a person, in a thread, no ATS: the mail the corpus lacks."""
    note = message(
        7,
        subject="RE: RE: Analyst opportunity",
        sender="Dana Whitlock <dana.whitlock@gmail.com>",
        body="Hi Sam, good news: the team would like you to come in for a final round interview "
        "on Thursday at 2pm. Can you make it?\n\nDana",
    )
    v = Classifier().classify(parse_message(note))
    assert v.kind != "not_job" or v.needs_review
    assert not (v.kind == "rejection" and not v.needs_review)


def test_evidence_is_read_from_a_batchs_knowledge_features_only():
    from onward.classify.features import vectors
    from onward.classify.model import has_evidence

    mails = [
        parse_message(message(1, subject="Lunch", body="See you at noon, bring the cake.")),
        parse_message(message(2, subject="Hi", body="We'd like to invite you to an interview.")),
    ]
    b = vectors(mails)
    assert has_evidence(mails, b.idx, b.val, b.starts).tolist() == [0, 1]


def test_a_reply_is_on_a_job_thread_when_its_subject_names_a_whole_job_word():
    from onward.classify.model import replies_on_a_job

    on = ("Re[2]: interview", "RE : candidature", " Re: job", "AW: Ihre Bewerbung", "Fwd: Offer")
    off = ("AW: Fragen stellen", "Re: I posted the photos", "Re: Rolex sale", "Interview?", "")
    assert [replies_on_a_job(s) for s in on] == [True] * len(on)
    assert [replies_on_a_job(s) for s in off] == [False] * len(off)


def test_a_subject_speaks_of_a_job_by_a_whole_application_word_not_a_part_of_one():
    from onward.classify.model import speaks_of_a_job

    on = ("Your application", "Applicant update", "Votre candidature", "Interview invitation")
    off = ("Changes to applicable fees from 1 January", "Candida cleanse: 20% off", "Apply now")
    assert [speaks_of_a_job(s) for s in on] == [True] * len(on)
    assert [speaks_of_a_job(s) for s in off] == [False] * len(off)


def test_a_reply_on_a_job_thread_counts_as_evidence_and_a_reply_on_anything_else_does_not():
    from onward.classify.features import vectors
    from onward.classify.model import has_evidence

    body = "Thanks, sounds good. Talk soon."
    mails = [
        parse_message(message(1, subject="Re: QA Analyst application", body=body)),
        parse_message(message(2, subject="RE: RE: Data role - next steps", body=body)),
        parse_message(message(3, subject="Re: dinner on Friday", body=body)),
        parse_message(message(4, subject="Your special offer inside", body=body)),  # no reply
        # any subject that names an application or an interview, reply or not
        parse_message(message(5, subject="Your job application has been shortlisted", body=body)),
        parse_message(message(6, subject="Ihre Bewerbung als Data Analyst", body=body)),
        parse_message(message(7, subject="Interview invitation", body=body)),
    ]
    b = vectors(mails)
    found = has_evidence(mails, b.idx, b.val, b.starts).tolist()
    # 2: the subject names an application or an interview, the strongest word a subject has
    assert found == [2, 1, 0, 0, 2, 2, 2]


def test_ordinary_mail_whose_subject_names_an_application_needs_more_certainty() -> None:
    logp = np.log([0.004, 0.004, 0.004, 0.001, 0.001, 0.001, 0.004, 0.001, 0.98])
    clf = Classifier(_weights(logp.tolist()))
    assert clf.decide(logp, known=1.0, evidence=0)[:3:2] == ("not_job", False)
    assert clf.decide(logp, known=1.0, evidence=1)[:3:2] == ("not_job", False)
    assert clf.decide(logp, known=1.0, evidence=2)[:3:2] == ("not_job", True)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "Decision on your application - MSc Data Science",
            "The admissions committee has considered your application. We regret to inform you "
            "that we are unable to offer you a place on this programme.",
        ),
        (
            "Your application - 12 Elm Road",
            "Thank you for viewing the flat. The landlord has decided to proceed with another "
            "applicant, and your holding deposit has not been taken.",
        ),
        (
            "Your proposal",
            "Thank you for submitting a talk proposal. Unfortunately the program committee was "
            "not able to accept it this year.",
        ),
        # decisions that name no job at all
        (
            "Tryout results",
            "thank you for bringing sam to tryouts last weekend. unfortunately sam was not "
            "selected for the travel roster this year. registration for the rec league is open.",
        ),
        (
            "Your passport application has been received",
            "we have received your passport application. it is being processed. routine service "
            "takes 6-8 weeks.",
        ),
        (
            "Decision on your proposal CF-2031",
            "the review panel has completed its assessment. unfortunately your proposal was not "
            "selected for funding in this cycle.",
        ),
    ],
)
def test_a_decline_of_a_place_a_flat_a_talk_or_no_job_is_never_decided_as_job_mail(subject, body):
    raw = message(12, sender="Office <office@example.org>", subject=subject, body=body)
    v = Classifier().classify(parse_message(raw))
    assert v.kind == "not_job" or v.needs_review


def test_a_job_decline_is_not_taken_for_another_kind_of_application() -> None:
    from onward.classify.elsewhere import about_another_application

    body = (
        "thank you for applying to the graduate programme. unfortunately we will not be moving "
        "forward with your application for the analyst role."
    )
    assert not about_another_application("Your application to Acme", body)
    assert about_another_application("Admissions decision", "")
    # a job title is a job: the person may be applying to an admissions office
    for title in ("admissions officer", "lettings negotiator", "admissions team lead"):
        assert not about_another_application(f"Your application for {title}", "")


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "Your application for the post of Admissions and Recruitment Officer",
            "thank you for your application for the post of admissions and recruitment officer. "
            "we regret to inform you that you have not been shortlisted for interview.",
        ),
        (
            "Interview invitation - Student Admissions Administrator",
            "we are pleased to invite you to interview for the role of student admissions "
            "administrator in the admissions office. in this role you would answer applicants.",
        ),
        (
            "Your application - Mortgage Application Processor",
            "thank you for applying for the mortgage application processor role. unfortunately "
            "we will not be moving forward with your application.",
        ),
        (
            "Your application: Lettings and Sales Negotiator",
            "unfortunately we will not be progressing your application.",
        ),
        (
            "Your application: Bursary Officer",
            "unfortunately you have not been shortlisted for the bursary officer position.",
        ),
        (
            "Your application",
            "thank you for applying for the admissions\nofficer vacancy. unfortunately you have "
            "not been shortlisted.",
        ),
    ],
)
def test_a_job_at_a_university_an_agent_or_a_bank_is_not_another_kind_of_application(
    subject: str, body: str
) -> None:
    from onward.classify.elsewhere import about_another_application

    assert not about_another_application(subject, body)


def test_a_place_declined_with_a_position_on_a_waiting_list_is_still_another_application() -> None:
    from onward.classify.elsewhere import about_another_application

    for body in (
        "we are not in the position to offer you a place on this programme.",
        "your position on the waiting list for the msc programme is 12.",
        "we offer you a place on the msc programme. this post-graduate degree leads to the job "
        "you want.",
        "we cannot offer you a place on the course. your documents will be returned in the post.",
    ):
        assert about_another_application("Decision on your application", body)


@pytest.mark.parametrize(
    "body",
    [
        "votre dossier de location pour l'appartement rue de la république n'a pas été retenu.",
        "leider können wir ihnen für die wohnung keinen mietvertrag anbieten.",
        "su solicitud de alquiler para el piso ha sido rechazada.",
        "helaas is de huurwoning aan een andere kandidaat toegewezen.",
    ],
)
def test_a_flat_declined_in_other_languages_is_another_application(body: str) -> None:
    from onward.classify.elsewhere import about_another_application

    assert about_another_application("Votre candidature", body)


def test_job_mail_that_names_its_post_in_french_or_german_is_job_mail() -> None:
    from onward.classify.elsewhere import about_another_application

    body = "le propriétaire de la boulangerie a retenu un autre profil pour le poste de vendeur."
    assert not about_another_application("Votre candidature", body)
    body = "der vermieter unseres büros ... wir haben die stelle anderweitig besetzt."
    assert not about_another_application("Ihre Bewerbung", body)


def test_a_job_is_named_by_its_title_a_thread_or_a_hiring_service() -> None:
    from onward.classify.elsewhere import names_no_job

    decline = "unfortunately we will not move forward at this time."
    assert names_no_job("Update", "Acme", decline, reply=False)
    assert not names_no_job("Your Software Developer application", "", decline, reply=False)
    assert not names_no_job("Re: our chat", "Jordan", "we're going a different way.", False)
    assert not names_no_job("Update", "", decline, reply=True)  # In-Reply-To: a thread
    assert not names_no_job("Ihre Bewerbung", "", "leider müssen wir absagen.", False)
    assert not names_no_job("आपका आवेदन", "", "खेद है", False)  # a script the words do not speak
