"""The employer when the sender says nothing (issue 13, item 4): exports lose the From line,
people write from their own mailboxes and robots sign as "Recruiting", so the employer is read
from the signature, the subject or an ATS job link, and never becomes the ATS, the job board,
the mail provider or the person who wrote."""

from __future__ import annotations

import time

import pytest

from onward.classify import extract as extract_mod
from onward.classify import knowledge as kb
from onward.classify.extract import extract, norm_company
from onward.mail.model import Address, Email

ROBOT = Address("Recruiting", "noreply@gmail.com")
PERSON = Address("Jane Doe", "jane.doe@gmail.com")


def employer(text: str = "", subject: str = "", sender: Address | None = None) -> str:
    email = Email("<e@t>", "f", subject=subject, sender=sender, text=text)
    return extract(email).company


@pytest.mark.parametrize("sender", [None, ROBOT, PERSON], ids=["no sender", "robot", "person"])
@pytest.mark.parametrize(
    ("text", "company"),
    [
        (
            "Hi Sam,\n\nThanks for the chat today. We would like to move you to the next round."
            "\n\nBest regards,\nJane Doe\nTalent Acquisition Partner\nKestrel Labs\n",
            "Kestrel Labs",
        ),
        (
            "Hi Sam, thanks for the chat today. Best regards, Jane Doe, Talent Acquisition, "
            "Kestrel Labs",
            "Kestrel Labs",
        ),
        (
            "Dear Sam,\n\nWe have decided not to move forward.\n\nKind regards,\n"
            "The Marlowe Foods Recruiting Team\n",
            "Marlowe Foods",
        ),
        (
            "Hello,\n\nWe received everything we need.\n\nThanks,\nOrchid Analytics Talent "
            "Acquisition\n",
            "Orchid Analytics",
        ),
        (
            "Hi Sam,\n\nCould you share your availability for Thursday?\n\nCheers,\n"
            "Jane Doe | Senior Technical Recruiter | Fennel Health\n+1 555 0100\n",
            "Fennel Health",
        ),
        (
            "Hi Sam,\n\nThe team enjoyed meeting you.\n\nSincerely,\nJane Doe\n"
            "Recruiter at Brightwater Energy\n",
            "Brightwater Energy",
        ),
        (
            "Hi Sam,\n\nWe will be in touch.\n\nThanks again,\nJane from the Marlowe Foods "
            "recruiting team\n",
            "Marlowe Foods",
        ),
        (
            "Bonjour Sam,\n\nNous revenons vers vous.\n\nCordialement,\nL'équipe Recrutement de "
            "Maison Ferrand\n",
            "Maison Ferrand",
        ),
    ],
)
def test_a_signature_names_the_employer_whoever_sent_it(
    text: str, company: str, sender: Address | None
) -> None:
    assert employer(text, subject="Next steps", sender=sender) == company


@pytest.mark.parametrize(
    ("subject", "company"),
    [
        ("Your application to Fennel Health", "Fennel Health"),
        ("Thank you for applying to Brightwater Energy", "Brightwater Energy"),
        ("Larkspur Games - Analytics Engineer", "Larkspur Games"),
        ("Analytics Engineer - Larkspur Games", "Larkspur Games"),
        ("Analytics Engineer at Larkspur Games", "Larkspur Games"),
        ("Your Larkspur Games application", "Larkspur Games"),
        ("Larkspur Games has received your application", "Larkspur Games"),
    ],
)
def test_a_subject_names_the_employer_when_there_is_no_sender(subject: str, company: str) -> None:
    assert employer("We will be in touch.", subject=subject) == company
    assert employer("We will be in touch.", subject=subject, sender=ROBOT) == company


@pytest.mark.parametrize(
    ("link", "company"),
    [
        ("https://jobs.lever.co/kestrel-labs/0f1e2d3c-aaaa-bbbb", "Kestrel Labs"),
        ("https://jobs.eu.lever.co/kestrel/0f1e2d3c", "Kestrel"),
        ("https://kestrel.greenhouse.io/jobs/123", "Kestrel"),
        ("https://boards.greenhouse.io/kestrellabs/jobs/4012345", "Kestrellabs"),
        ("https://job-boards.greenhouse.io/kestrel/jobs/4012345", "Kestrel"),
        ("https://boards.greenhouse.io/embed/job_app?for=kestrel&token=1", "Kestrel"),
        ("https://kestrel.wd5.myworkdayjobs.com/en-US/External/job/Remote/Analyst_R123", "Kestrel"),
        ("https://kestrel.recruitee.com/o/data-analyst", "Kestrel"),
        ("https://kestrel.teamtailor.com/jobs/123-data-analyst", "Kestrel"),
        ("https://kestrel.smartrecruiters.com/", "Kestrel"),
        ("https://jobs.smartrecruiters.com/KestrelLabs/7435", "KestrelLabs"),
        ("https://apply.workable.com/kestrel/j/A1B2C3/", "Kestrel"),
        ("https://jobs.ashbyhq.com/kestrel/1c2d-3e4f", "Kestrel"),
        ("https://careers-kestrel.icims.com/jobs/1234/analyst/job", "Kestrel"),
        ("https://www.welcometothejungle.com/fr/companies/kestrel-labs/jobs/data", "Kestrel Labs"),
    ],
)
def test_an_ats_job_link_names_the_employer_not_the_ats(link: str, company: str) -> None:
    text = f"Thank you for applying. You can see the job here: {link}\nWe will be in touch."
    assert employer(text, subject="Application received", sender=ROBOT) == company
    assert employer(text, subject="Application received") == company


def test_an_ats_link_without_an_employer_names_nobody() -> None:
    text = "Sign in at https://app.greenhouse.io/users/sign_in to see your application."
    assert employer(text, subject="Application received", sender=ROBOT) == ""


def test_a_link_slug_lends_its_key_to_the_employers_full_name() -> None:
    text = (
        "Thank you for your interest in Kestrel Labs Europe.\n"
        "The role: https://jobs.lever.co/kestrel/123\n"
    )
    assert employer(text, subject="Application received") == "Kestrel Labs Europe"


@pytest.mark.parametrize(
    "sender",
    [
        Address("Indeed", "no-reply@indeed.com"),
        Address("LinkedIn", "jobs-noreply@linkedin.com"),
        Address("Greenhouse", "no-reply@greenhouse.io"),
        Address("Jane Doe", "jane.doe@gmail.com"),
        Address("", "jane.doe@gmail.com"),
        Address("Recruiting", "noreply@gmail.com"),
    ],
    ids=["indeed", "linkedin", "greenhouse", "a person's gmail", "a bare gmail", "a robot"],
)
def test_a_sender_that_is_not_the_employer_never_becomes_it(sender: Address) -> None:
    got = employer("Hi Sam,\n\nThanks for your time today.\n\nBest,\nJane", "Re: today", sender)
    assert norm_company(got) not in {
        *("indeed", "linkedin", "greenhouse", "gmail", "janedoe", "jane", "recruiting"),
    }
    assert got == ""


def test_a_job_board_relaying_an_application_names_the_employer_it_relays_to() -> None:
    sender = Address("Indeed Apply", "indeedapply@indeed.com")
    text = "Your application to Pinecrest Dental was submitted.\n\nIndeed\n"
    assert employer(text, "Application submitted", sender) == "Pinecrest Dental"


def test_a_person_at_the_employers_domain_is_not_the_employer() -> None:
    sender = Address("Jane Doe", "jane.doe@pinecrestdental.example")
    got = employer("Hi Sam,\n\nAre you free on Friday?\n\nJane", "Quick question", sender)
    assert norm_company(got) == "pinecrestdental"


def test_a_team_mailbox_on_a_personal_provider_still_names_the_employer() -> None:
    sender = Address("Pinecrest Dental Careers", "pinecrest.careers@gmail.com")
    assert employer("Thanks for applying.", "Application received", sender) == "Pinecrest Dental"


def test_the_signature_of_a_quoted_message_does_not_outvote_the_newest_one() -> None:
    text = (
        "Hi Sam,\n\nSee you on Monday.\n\nBest regards,\nJane Doe\nRecruiter\nKestrel Labs\n\n"
        "On Tue, 3 Mar 2026, Sam wrote:\n> Thanks,\n> Sam Lee\n> Analyst\n> Orchid Analytics\n"
    )
    assert employer(text, "Re: interview") == "Kestrel Labs"


@pytest.mark.parametrize(
    "quote",
    [
        "-----Original Message-----\nFrom: Jane Doe <jane.doe@kestrellabs.example>\n"
        "Sent: Monday, March 2, 2026 9:14 AM\nSubject: Analyst role\n",
        "On Mon, Mar 2, 2026 at 9:14 AM Jane Doe <jane.doe@kestrellabs.example> wrote:\n"
        "> Hi Sam,\n",
    ],
    ids=["outlook", "gmail"],
)
def test_the_sender_of_a_quoted_message_names_the_employer_of_a_thread(quote: str) -> None:
    text = "Yes, we are moving you to the onsite round.\n\nJane\n\n" + quote
    assert norm_company(employer(text, "RE: RE: Analyst", PERSON)) == "kestrellabs"


def test_the_persons_own_domain_in_a_quoted_message_is_not_the_employer() -> None:
    email = Email(
        "<e@t>",
        "f",
        subject="RE: chat",
        sender=PERSON,
        to=(Address("Sam Lee", "sam@samlee.example"),),
        text="Sounds good.\n\nOn Mon, Mar 2, 2026 Sam Lee <sam@samlee.example> wrote:\n> Hi",
    )
    assert extract(email).company == ""


def test_a_reply_to_address_at_the_employer_names_it_when_a_robot_sends() -> None:
    email = Email(
        "<e@t>",
        "f",
        subject="Application received",
        sender=ROBOT,
        reply_to=(Address("Jane Doe", "jane.doe@kestrellabs.example"),),
        text="Thank you for applying.",
    )
    assert norm_company(extract(email).company) == "kestrellabs"


def test_the_persons_own_signature_in_the_quoted_history_is_not_the_employer() -> None:
    text = (
        "Hi Sam,\n\nThursday works.\n\nBest,\nJane\n\n"
        "On Mon, Mar 2, 2026 at 9:14 AM Sam Lee <sam.lee@gmail.com> wrote:\n"
        "> Hi Jane,\n> Could we meet on Thursday?\n> Thanks,\n> Sam Lee\n> Marketing Manager\n"
        "> Orchid Analytics\n"
    )
    assert employer(text, "Re: next steps", PERSON) == ""


def test_a_first_name_under_a_sign_off_names_no_employer() -> None:
    assert employer("Thanks for your time.\n\nBest,\nJameson\n", "Re: chat") == ""


def test_a_signature_in_an_export_without_line_breaks_ends_where_its_sentences_start() -> None:
    text = (
        "Hi Sam, thank you for your time on the phone. Best regards, Jane Doe, Talent "
        "Acquisition, Kestrel Labs, 12 Harbour Street, Leeds. This message and any attachment "
        "is meant for its recipient only."
    )
    assert employer(text, "Following up", ROBOT) == "Kestrel Labs"


def test_the_web_site_in_a_signature_names_the_employer() -> None:
    text = "Hi Sam,\n\nCan we talk on Monday?\n\nThanks,\nJane\njane@kestrellabs.io\n"
    assert norm_company(employer(text, "Re: chat", PERSON)) == "kestrellabs"


def test_a_scheduling_link_in_a_signature_names_no_employer() -> None:
    text = "Hi Sam,\n\nPick a time here.\n\nThanks,\nJane\nhttps://calendly.com/jane-doe/30min\n"
    assert employer(text, "Re: chat", PERSON) == ""


def test_a_mail_delivery_service_is_never_the_employer() -> None:
    sender = Address("Recruiting", "noreply@em1234.sendgrid.net")
    assert employer("Thank you for applying to Kestrel Labs.", "Thanks", sender) == "Kestrel Labs"
    assert employer("Thanks for applying.", "Thanks", sender) == ""


@pytest.mark.parametrize(
    ("text", "company"),
    [
        (
            "Thanks for applying.\n\nKestrel Labs is an equal opportunity employer and values "
            "diversity.",
            "Kestrel Labs",
        ),
        ("Thanks for applying.\n\n© 2026 Kestrel Labs, Inc. All rights reserved.", "Kestrel Labs"),
        ("Thanks for applying.\n\nCopyright 2026 Greenhouse Software, Inc.", ""),
    ],
)
def test_a_footer_names_the_employer_but_never_the_ats(text: str, company: str) -> None:
    assert employer(text, "Application received", ROBOT) == company


@pytest.mark.parametrize(
    "subject",
    [
        "RE: RE: Larkspur Games - Analytics Engineer",
        "Fwd: Larkspur Games | Analytics Engineer",
        "Analytics Engineer - Larkspur Games - Assessment Completed",
    ],
)
def test_a_threads_prefixes_and_a_status_do_not_hide_the_employer_in_a_subject(
    subject: str,
) -> None:
    assert employer("See below.", subject) == "Larkspur Games"


def test_a_status_after_a_dash_is_not_an_employer() -> None:
    assert employer("See below.", "RE: Analytics Engineer - Assessment Completed") == ""


@pytest.mark.parametrize(
    "text",
    [
        "Best regards,\n" * 400,
        "Best regards, " + "Recruiter at " * 400,
        "Best regards,\n" + "Recruiter | " * 400,
        "https://jobs.lever.co/" * 200,
        "https://" + "a-" * 2000 + ".greenhouse.io",
        "Thanks,\n" + "The Acme Recruiting Team " * 200,
        "Kestrel " * 500 + "is an equal opportunity employer",
        "© " * 1000 + "Kestrel",
        "Thanks,\n" + "jane@" * 500 + "a.example",
        "re: " * 1000 + "Acme - Analyst",
        "From: " + "a" * 5000 + "@b.example",
        "On " + "x " * 3000 + "a@b.example wrote:",
    ],
    ids=[
        *("sign-offs", "title-at", "title-bars", "lever", "long-host", "teams"),
        *("eeo", "copyright", "contacts", "reply-prefixes", "quoted-from", "wrote"),
    ],
)
def test_reading_a_signature_or_link_stays_fast_on_hostile_text(text: str) -> None:
    start = time.perf_counter()
    employer(text, "Application received")
    employer(text[:4000], "Application received")
    employer("", text)
    assert time.perf_counter() - start < 0.25


def test_every_known_domain_is_short_enough_for_the_suffix_lookup_to_find() -> None:
    tables = (kb.ATS_DOMAINS, kb.BOARD_DOMAINS, kb.ASSESSMENT_DOMAINS)
    tables += (kb.MAILER_DOMAINS, kb.SERVICE_DOMAINS)
    assert [k for t in tables for k in t if k.count(".") >= kb._MAX_LABELS] == []
    assert kb.ats_for("x." * 2000 + "us.greenhouse-mail.io") == "Greenhouse"


def _after_a_call(sender: Address) -> str:
    """The employer of a note that names nobody, from this sender."""
    text = "Hi Sam,\n\nThank you for your time on the phone today. We will be in touch.\n"
    return employer(text, "Next steps", sender)


@pytest.mark.parametrize(
    ("sender", "company"),
    [
        # an initialism keeps its dots, and the department after the name is not the employer
        (
            Address(
                "U.K. Office for Coastal Surveys Human Resources", "hr@coastal-surveys.example"
            ),
            "U.K. Office for Coastal Surveys",
        ),
        # the German and French personnel department, a scheduling desk
        (
            Address("Nordwind Logistik Personal", "karriere@nordwind-logistik.example"),
            "Nordwind Logistik",
        ),
        (Address("Varenne Assurances RH", "recrutement@varenne.example"), "Varenne Assurances"),
        (Address("Pell Harbor Schedulers", "interviews@pellharbor.example"), "Pell Harbor"),
        # the display name written out beats the bare domain it spells
        (Address("Quillon Foundation", "hiring@quillon.example"), "Quillon Foundation"),
        # the department before the name, or a graduate desk after it
        (Address("Recruitment Hollis Water", "jobs@holliswater.example"), "Hollis Water"),
        (
            Address("Recursos Humanos - Ayuntamiento de Beltrán", "rrhh@beltran.example"),
            "Ayuntamiento de Beltrán",
        ),
        (Address("Corvel Bank Early Careers", "graduates@corvelbank.example"), "Corvel Bank"),
        # a careers desk in Spanish, Portuguese and Dutch, after the name or before it
        (Address("Aceros Tarín · Empleo", "empleo@acerostarin.example"), "Aceros Tarín"),
        (Address("Café Serrano - Vagas", "vagas@cafeserrano.example"), "Café Serrano"),
        (
            Address("Werken bij gemeente Noordwaal", "vacatures@noordwaal.example"),
            "Gemeente Noordwaal",
        ),
        (Address("DRH Clinique du Parc", "drh@cliniqueduparc.example"), "Clinique du Parc"),
    ],
)
def test_the_senders_own_name_is_the_employer_without_its_department(sender, company) -> None:
    assert norm_company(_after_a_call(sender)) == norm_company(company)


@pytest.mark.parametrize(
    ("sender", "company"),
    [
        (Address("Recruitment Genius", "jobs@recruitmentgenius.example"), "Recruitment Genius"),
        (Address("HR Block", "careers@hrblock.example"), "HR Block"),
        (Address("Karriere Akademie GmbH", "jobs@karriere-akademie.example"), "Karriere Akademie"),
    ],
)
def test_a_department_word_the_domain_spells_is_part_of_the_name(sender, company) -> None:
    # Compared as written, not by key: "Recruitmentgenius", the bare domain, has the same key.
    assert _after_a_call(sender) in (company, company + " GmbH")


def test_a_scheduling_service_or_a_title_is_never_the_employer() -> None:
    text = "Hi Sam,\n\nA new event has been scheduled: 30 minute call, Thursday 3pm.\n"
    assert employer(text, "New event", Address("Calendly", "notifications@calendly.com")) == ""
    dr = Address("Dr. Amelia Stone", "amelia.stone.dvm@outlook.com")  # a person, with a title
    assert employer("Hi Sam,\n\nCould you come in on Monday?\n", "Monday", dr) not in ("Dr", "Dr.")


@pytest.mark.parametrize(
    ("text", "company"),
    [
        # a company form's dot ends the sentence: the next one is not part of the name
        ("Thank you for applying to Acme Co. We are reviewing your application.", "Acme Co"),
        (
            "Thank you for your interest in Kestrel Corp. Unfortunately we will not move on.",
            "Kestrel",
        ),
    ],
)
def test_a_company_forms_dot_still_ends_the_sentence(text: str, company: str) -> None:
    got = employer("Hi Sam,\n\n" + text + "\n", "Your application", None)
    assert norm_company(got) == norm_company(company)


@pytest.mark.parametrize(
    "sender",
    [
        Address("Kestrel Labs", "no-reply@em123.sendgrid.net"),  # a bulk mailer
        Address("Kestrel Labs Recruiting", "no-reply@goodtime.io"),  # a scheduling service
    ],
)
def test_an_employer_sending_through_a_mail_service_still_names_itself(sender) -> None:
    assert norm_company(_after_a_call(sender)) == norm_company("Kestrel Labs")


@pytest.mark.parametrize(
    ("sender", "company"),
    [
        # a short label met inside a person's name, a shared first word: the domain keeps its vote
        (Address("Leah Thompson", "recruiting@ea.com"), "EA"),
        (Address("Global Payments", "jobs@globalcorp.com"), "Globalcorp"),
        # a name that is never an employer does not take the domain's vote away
        (Address("Application Status Page", "noreply@ge.com"), "GE"),
    ],
)
def test_a_display_name_that_does_not_spell_the_domain_leaves_it_its_vote(sender, company) -> None:
    assert norm_company(_after_a_call(sender)) == norm_company(company)


@pytest.mark.parametrize(
    ("text", "company"),
    [
        (
            "Votre candidature chez Les Jardins du Coteau a bien été envoyée.",
            "Les Jardins du Coteau",
        ),
        ("Merci pour votre candidature chez Hôtel de la Gare.", "Hôtel de la Gare"),
        ("Thank you for applying to Bank of the Lakes.", "Bank of the Lakes"),
        ("Thank you for applying to Banco de los Andes.", "Banco de los Andes"),
        ("Thank you for applying to Müller und Söhne.", "Müller und Söhne"),
    ],
)
def test_a_name_keeps_its_lower_case_link_words(text: str, company: str) -> None:
    assert norm_company(employer(text, "Candidature", ROBOT)) == norm_company(company)


@pytest.mark.parametrize(
    ("sender", "company"),
    [
        (Address("Careers", "noreply@ashdown-jobs.example"), "Ashdown"),
        (Address("HR", "hr@vantor.ac.example"), "Vantor"),
        (Address("Careers", "jobs@quillcareers.example"), "Quill"),
    ],
)
def test_a_domain_names_the_employer_without_its_job_words_or_second_level(
    sender: Address, company: str
) -> None:
    # "ac" of vantor.ac.example or "jobs" of ashdown-jobs.example would be a name nobody has.
    got = employer("Dear Sam,\n\nThank you for your patience.\n", sender=sender)
    assert norm_company(got) == norm_company(company)


def test_a_council_whose_careers_site_has_its_own_domain_keeps_its_name() -> None:
    sender = Address("Harrowgate District Council", "noreply@harrowgate-jobs.example")
    assert employer("Dear Applicant,\n\nThe post has been filled.\n", sender=sender) == (
        "Harrowgate District Council"
    )


def test_a_domain_is_named_as_the_message_writes_it() -> None:
    text = (
        "Hola Sam:\n\nGracias por tu interés en Aguamar Energía.\n\nUn saludo,\nEquipo de Talento\n"
    )
    got = employer(text, sender=Address("Talento", "talento@aguamar-energia.example"))
    assert got == "Aguamar Energía"


def test_a_sentence_that_opens_a_subject_is_not_the_employer() -> None:
    sender = Address("Quillon Careers", "quillon@myworkday.com")
    for opening in ("We've", "We’ve", "You're"):
        subject = f"{opening} received your application – Analyst (R-1)"
        got = employer("Dear Sam,\n\nThank you for applying at Quillon.\n", subject, sender)
        assert got == "Quillon"


def test_the_persons_own_name_is_never_the_employer() -> None:
    email = Email(
        "<e@t>",
        "f",
        subject="Confirmed: Phone Screen",
        sender=Address("Slotly", "notifications@slotly.example"),
        to=(Address("Sam Rivera", "sam@example.net"),),
        text="A new event has been scheduled.\n\nInvitee: Sam Rivera\n",
    )
    assert norm_company(extract(email).company) != norm_company("Sam Rivera")


@pytest.mark.parametrize(
    ("text", "company"),
    [
        (
            "Your application for Class Teacher (KS2) at Brookfield Primary School\n\n"
            "Unfortunately your application was not successful.\n",
            "Brookfield Primary School",
        ),
        ("Hello,\n\nThank you for applying for Data Analyst at Corvane Foods.\n", "Corvane Foods"),
        (
            "Bonjour Sam,\n\nBoulangerie Arnaud a bien reçu votre candidature.\n",
            "Boulangerie Arnaud",
        ),
        (
            "Bonjour,\n\nRéponse négative de Menuiserie Roux à votre candidature.\n",
            "Menuiserie Roux",
        ),
    ],
)
def test_a_platform_that_names_the_employer_is_outvoted_by_it(text: str, company: str) -> None:
    sender = Address("Vacancy Hub", "noreply@vacancyhub.example")
    assert employer(text, "Your application", sender) == company


def test_a_work_mode_after_at_is_not_an_employer() -> None:
    text = "Thank you for your application for the Analyst position at Work from Home.\n"
    assert employer(text, sender=Address("Recruiting", "noreply@orlen-jobs.example")) != "Work"


@pytest.mark.parametrize(
    "text",
    [
        "Hi Sam,\n\nGood news: Corvane Foods want to meet you on Friday.\n\nCheers,\nAlex\n",
        "Hi Sam,\n\nI've had feedback from Corvane Foods on your CV. They won't take it further."
        "\n\nThanks,\nAlex\nSenior Consultant\nHollybrook Recruitment\n",
        "Hi Sam,\n\nMy client, Corvane Foods, is hiring an analyst.\n\nBest,\nAlex\n",
    ],
)
def test_an_agency_names_its_client_as_the_employer(text: str) -> None:
    sender = Address("Alex Byrne", "alex.byrne@hollybrook-recruitment.example")
    assert employer(text, "Analyst role", sender) == "Corvane Foods"


def test_an_agency_that_names_no_client_is_still_named() -> None:
    sender = Address("Hollybrook Recruitment", "jobs@hollybrook-recruitment.example")
    got = employer("Hi Sam,\n\nWe have several analyst roles open.\n", "Analyst roles", sender)
    assert norm_company(got) == "hollybrook"


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (
            Address("Testwise", "noreply@testwise.example"),
            "Hi Sam,\n\nYour invitation from Corvane Foods expires in 24 hours.\n\n"
            "The Testwise team\n",
        ),
        (
            Address("Corvane Foods Assessments", "assessments@skillgauge.example"),
            "Dear Sam,\n\nYou have been invited by Corvane Foods to complete two tests.\n",
        ),
    ],
)
def test_an_assessment_service_names_the_employer_that_invited(sender, text) -> None:
    assert employer(text, "Your assessment", sender) == "Corvane Foods"


def test_a_job_boards_other_recommended_jobs_do_not_name_the_employer() -> None:
    text = (
        "Your application has been submitted\n\nData Analyst\nCorvane Foods – Remote\n\n"
        "Jobs you may also like:\nReporting Analyst – Ashby Mutual\nBI Analyst – Orlen Lending\n"
    )
    got = employer(text, "Application submitted: Data Analyst", Address("Indeed", "x@indeed.com"))
    assert got == "Corvane Foods"


@pytest.mark.parametrize(
    "subject",
    ["Offer of Employment", "Conditional Offer", "Job ID 204187", "Competition HR-26-077"],
)
def test_a_subjects_step_or_posting_number_is_not_the_employer(subject: str) -> None:
    sender = Address("Employment Services", "employment@corvane.example")
    got = employer("Dear Sam,\n\nPlease see the attached.\n", f"Analyst - {subject}", sender)
    assert norm_company(got) == "corvane"


def test_a_public_bodys_domain_skips_its_state() -> None:
    sender = Address("Careers", "careers@wrcc.vic.gov.au")
    assert norm_company(employer("Dear Sam,\n\nThank you.\n", sender=sender)) == "wrcc"


def test_a_vendors_first_word_opens_other_companies_names_too() -> None:
    # "Cornerstone" opens an ATS's name; "Cornerstone Foods" is a supermarket.
    sender = Address("Cornerstone Foods Recruitment", "recruitment@cornerstonefoods.example")
    assert employer("Hi Sam,\n\nSee you Monday.\n", "Next step", sender) == "Cornerstone Foods"


def test_a_writer_for_a_client_names_the_client_not_the_agency() -> None:
    text = (
        "Hello Sam,\n\nWe've been retained by the Ferris Valley Water Authority to find a "
        "Program Manager.\n\nBrett Calloway\nPrincipal, Helix Search Group\nM: 0400 555 677\n"
    )
    sender = Address("Brett Calloway", "bcalloway@helixsearch.example")
    assert employer(text, "Program Manager", sender) == "Ferris Valley Water Authority"


def test_a_persons_name_is_known_in_an_address_that_transliterates_it() -> None:
    sender = Address("Jana Krüger", "j.krueger@spreegold-gastro.example")
    text = "Hallo Sam,\n\ndanke für das Gespräch.\n\nJana Krüger\nSpreegold Gastronomie GmbH\n"
    assert employer(text, "Ihre Bewerbung", sender) != "Jana Krüger"


def test_a_domain_is_named_by_the_longer_name_that_starts_with_it() -> None:
    sender = Address("Greg Antonelli", "g.antonelli@pelhamsteel.example")
    text = "Hi Sam,\n\nWelcome aboard at Pelham Steelworks next week.\n"
    assert employer(text, "Start date", sender) == "Pelham Steelworks"


def test_a_team_at_a_service_we_do_not_know_names_the_employer() -> None:
    for sender in (
        Address("FreshWay Careers", "freshway@wdhire.example"),
        Address("Hotel Alpenrose", "bewerbung@jobs.personalo.example"),
    ):
        name = sender.name.removesuffix(" Careers")
        text = f"Dear Sam,\n\nThank you for applying to {name}.\n"
        assert employer(text, "Your application", sender) == name


@pytest.mark.parametrize(
    ("text", "company"),
    [
        (
            "Bonjour,\n\nLe cabinet recrute pour le compte de notre client Lumière Mutuelle.\n",
            "Lumière Mutuelle",
        ),
        (
            "Guten Tag,\n\nvielen Dank für Ihre Bewerbung bei der Stadtwerke Aarau.\n",
            "Stadtwerke Aarau",
        ),
        ("Beste,\n\nBedankt voor je sollicitatie bij Brouwerij Vanhout.\n", "Brouwerij Vanhout"),
    ],
)
def test_an_application_at_the_employer_is_read_in_french_german_and_dutch(text, company):
    assert employer(text, "Candidature", Address("Recrutement", "noreply@talentflow.example")) == (
        company
    )


@pytest.mark.parametrize("name", ["1-800-Flowers", "Hotel 1000", "2020 Companies", "Club 1001"])
def test_a_number_in_a_company_name_is_not_a_postings_number(name) -> None:
    sender = Address(f"{name} Careers", "jobs@example.com")
    assert employer(f"Dear Sam,\n\nThank you for applying to {name}.\n", "Thanks", sender) == name


@pytest.mark.parametrize("number", ["0079105", "HR-26-077", "204187"])
def test_a_postings_number_is_still_no_name(number) -> None:
    assert not extract_mod._usable(number)


def test_a_time_or_a_pronoun_is_no_employer() -> None:
    sender = Address("Acme Corp", "jobs@acme.example")
    text = "Thank you for your application for Software Engineer at 10:30 today.\n"
    assert employer(text, "Thanks", sender) == "Acme Corp"
    agency = Address("Jo Smith", "jo@brightpath-recruitment.example")
    assert employer("Hi Sam, They want to meet you on Tuesday.\n", "Next steps", agency) != "They"


def test_a_french_board_confirmation_names_the_employer_after_the_post_not_the_post() -> None:
    board = Address("Welcome to the Jungle", "no-reply@welcometothejungle.com")
    text = (
        "Bonjour Sam,\n\nVotre candidature pour le poste d'Analyste BI chez Cobalt Assurances a "
        "bien été envoyée. Le recruteur reviendra vers vous si votre profil correspond."
    )
    found = employer(text, "Candidature envoyée : Analyste BI", board)
    assert norm_company(found) == norm_company("Cobalt Assurances")
