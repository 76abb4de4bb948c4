"""What onward knows about senders: applicant tracking systems, job boards, robots.

Data, not logic: adding an ATS is adding a line here.
"""

from __future__ import annotations

import re

# domain suffix -> ATS name. Mail from these is sent for an employer, never by it.
ATS_DOMAINS: dict[str, str] = {
    "greenhouse.io": "Greenhouse",
    "greenhouse-mail.io": "Greenhouse",
    "lever.co": "Lever",
    "hire.lever.co": "Lever",
    "myworkday.com": "Workday",
    "workday.com": "Workday",
    "myworkdayjobs.com": "Workday",
    "ashbyhq.com": "Ashby",
    "icims.com": "iCIMS",
    "talent.icims.com": "iCIMS",
    "smartrecruiters.com": "SmartRecruiters",
    "smartrecruitersmail.com": "SmartRecruiters",
    "jobvite.com": "Jobvite",
    "workable.com": "Workable",
    "workablemail.com": "Workable",
    "taleo.net": "Taleo",
    "successfactors.com": "SuccessFactors",
    "successfactors.eu": "SuccessFactors",
    "sapsf.com": "SuccessFactors",
    "sapsf.eu": "SuccessFactors",
    "bamboohr.com": "BambooHR",
    "recruitee.com": "Recruitee",
    "teamtailor.com": "Teamtailor",
    "teamtailor-mail.com": "Teamtailor",
    "personio.de": "Personio",
    "personio.com": "Personio",
    "applytojob.com": "JazzHR",
    "breezy.hr": "Breezy HR",
    "breezyhr.com": "Breezy HR",
    "avature.net": "Avature",
    "phenompeople.com": "Phenom",
    "eightfold.ai": "Eightfold",
    "oraclecloud.com": "Oracle",
    "paradox.ai": "Paradox",
    "pinpointhq.com": "Pinpoint",
    "comeet.co": "Comeet",
    "gem.com": "Gem",
    "welcomekit.co": "Welcome Kit",
    "flatchr.io": "Flatchr",
    "talentsoft.com": "Talentsoft",
    "csod.com": "Cornerstone",
    "ultipro.com": "UKG",
    "ukg.com": "UKG",
    "dayforcehcm.com": "Dayforce",
    "adp.com": "ADP",
    "rippling.com": "Rippling",
    "dover.com": "Dover",
    "trakstar.com": "Trakstar",
    "hirebridge.com": "Hirebridge",
    "brassring.com": "BrassRing",
    "kenexa.com": "BrassRing",
    "taleo.com": "Taleo",
    "publicisgroupe.net": "Publicis Talent",
    "jobs2web.com": "SuccessFactors",
}
# job boards: they relay applications and send alerts; the employer is named in the text.
BOARD_DOMAINS: dict[str, str] = {
    "linkedin.com": "LinkedIn",
    "indeed.com": "Indeed",
    "indeedemail.com": "Indeed",
    "glassdoor.com": "Glassdoor",
    "ziprecruiter.com": "ZipRecruiter",
    "monster.com": "Monster",
    "welcometothejungle.com": "Welcome to the Jungle",
    "wttj.co": "Welcome to the Jungle",
    "hellowork.com": "HelloWork",
    "apec.fr": "Apec",
    "francetravail.fr": "France Travail",
    "pole-emploi.fr": "France Travail",
    "stepstone.de": "StepStone",
    "stepstone.com": "StepStone",
    "xing.com": "XING",
    "dice.com": "Dice",
    "wellfound.com": "Wellfound",
    "angel.co": "Wellfound",
    "joinhandshake.com": "Handshake",
    "otta.com": "Otta",
    "builtin.com": "Built In",
    "simplyhired.com": "SimplyHired",
    "careerbuilder.com": "CareerBuilder",
    "jobteaser.com": "JobTeaser",
    "cadremploi.fr": "Cadremploi",
    "meteojob.com": "Meteojob",
    "talent.com": "Talent.com",
    "snagajob.com": "Snagajob",
    "hired.com": "Hired",
    "reed.co.uk": "Reed",
    "totaljobs.com": "Totaljobs",
    "seek.com.au": "SEEK",
}
# assessment platforms: the mail is a test invitation on an employer's behalf.
ASSESSMENT_DOMAINS: dict[str, str] = {
    "hackerrank.com": "HackerRank",
    "hackerrankforwork.com": "HackerRank",
    "codility.com": "Codility",
    "codesignal.com": "CodeSignal",
    "hirevue.com": "HireVue",
    "testgorilla.com": "TestGorilla",
    "shl.com": "SHL",
    "pymetrics.com": "pymetrics",
    "pymetrics.ai": "pymetrics",
    "criteriacorp.com": "Criteria",
    "mettl.com": "Mercer Mettl",
    "coderpad.io": "CoderPad",
    "karat.io": "Karat",
    "karat.com": "Karat",
}
ATS_NAMES = {v.lower(): v for v in (*ATS_DOMAINS.values(), *ASSESSMENT_DOMAINS.values())}
BOARD_NAMES = {v.lower(): v for v in BOARD_DOMAINS.values()}
# personal mail providers: a sender here is a person, never a company domain.
FREEMAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.fr",
        "hotmail.com",
        "hotmail.fr",
        "outlook.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "sfr.fr",
        "fastmail.com",
        "fastmail.fm",
        "zoho.com",
        "mail.com",
        "yandex.ru",
    }
)
ROBOT_LOCALPARTS = (
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
    "mailer",
    "notification",
    "notifications",
    "alerts",
    "alert",
    "automated",
    "bounce",
    "jobalerts",
    "jobs-noreply",
    "postmaster",
    "system",
    "auto-confirm",
    "autoreply",
)
ROLE_LOCALPARTS = (
    "careers",
    "career",
    "jobs",
    "job",
    "recruiting",
    "recruitment",
    "recruiter",
    "talent",
    "hr",
    "hiring",
    "rh",
    "recrutement",
    "candidates",
    "apply",
    "workday",
    "people",
    "staffing",
    "emploi",
)
# words in display names and subjects that name a function, not the employer
GENERIC_NAMES = frozenset(
    {
        # contract types and work modes end many subjects ("Data Engineer - CDI")
        "cdi",
        "cdd",
        "stage",
        "alternance",
        "internship",
        "intern",
        "full-time",
        "full time",
        "part-time",
        "part time",
        "remote",
        "hybrid",
        "work",  # "... position at Work from Home"
        "home",
        "freelance",
        "contract",
        "permanent",
        "h/f",
        "f/h",
        "m/f/d",
        "temps plein",
        "télétravail",
        "talent acquisition",
        "talento",
        "recruiting",
        "recruiting team",
        "recruitment",
        "careers",
        "hr",
        "human resources",
        "hiring team",
        "the hiring team",
        "talent team",
        "people team",
        "no-reply",
        "noreply",
        "notifications",
        "jobs",
        "team",
        "unknown",
        "do not reply",
        "talent",
        "recruiter",
        "candidate experience",
        "university recruiting",
        "campus recruiting",
        "service recrutement",
        "recrutement",
        "ressources humaines",
        "l'équipe recrutement",
        "global hr",
        "applied job",
        "thank you",
        "job application",
        "career opportunities",
    }
)
NAME_SUFFIXES = (
    " talent acquisition",
    " assessments",  # "Kestrel Labs Assessments" at an assessment vendor's domain
    " assessment",
    " recruiting team",
    " recruiting",
    " recruitment",
    " early careers",  # before " careers", which would leave "Early"
    " careers",
    " career",
    " hr",
    " jobs",
    " hiring team",
    " talent",
    " team",
    " human resources",
    " people",
    " recrutement",
    " @ icims",
    " workday",
    " career opportunities",
    " portal",
    " hr team",
    " human resources team",
    " hiring",
    " careers team",
    " job alerts",
    " university",
    "-hr-workday",
    " hr workday",
    " notifications",
    " no-reply",
    " noreply",
    # scheduling desks, and the German and French names of a personnel department
    " schedulers",
    " scheduling",
    " personalabteilung",
    " personal",
    " ressources humaines",
    " rh",
    " karriere",
    " recursos humanos",
    " rrhh",
    # a careers desk in Spanish, Portuguese, Dutch and Italian ("X · Empleo", "X - Vagas")
    " empleo",
    " empleos",
    " trabaja con nosotros",
    " carreiras",
    " vagas",
    " trabalhe conosco",
    " werken bij",
    " vacatures",
    " lavora con noi",
    " carriere",
)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower().strip(">").strip()


# No table key has more labels than this: a longer suffix cannot match, and joining every
# suffix of a hostile 4,000-dot domain would be quadratic.
_MAX_LABELS = 4


def _suffix_lookup(domain: str, table: dict[str, str]) -> str | None:
    parts = domain.split(".")
    for i in range(max(len(parts) - _MAX_LABELS, 0), len(parts) - 1):
        hit = table.get(".".join(parts[i:]))
        if hit:
            return hit
    return None


# Services that send or schedule for an employer without being it: mail delivery services
# and scheduling tools. Neither a sender there nor its link names the employer.
MAILER_DOMAINS: dict[str, str] = {
    d: d
    for d in (
        "sendgrid.net sendgrid.com mailgun.org mailgun.net amazonses.com mandrillapp.com "
        "mcsv.net mcdlv.net rsgsv.net mailchimp.com sparkpostmail.com postmarkapp.com "
        "mailjet.com sendinblue.com brevo.com hubspotemail.net hs-email.net exacttarget.com "
        "mktomail.com constantcontact.com intercom-mail.com calendly.com goodtime.io cal.com "
        "doodle.com zoom.us zoom.com webex.com gotomeeting.com docusign.net docusign.com"
    ).split()
}
# Links and addresses a recruiter's signature carries that are not the employer's site: a
# social network, a video call, a shortener. (Google and Microsoft hire too: only links.)
SERVICE_DOMAINS: dict[str, str] = {
    d: d
    for d in (
        "google.com goo.gl microsoft.com office.com live.com teams.microsoft.com twitter.com "
        "x.com facebook.com instagram.com youtube.com tiktok.com bit.ly lnkd.in ow.ly "
        "tinyurl.com t.co aka.ms hubspot.com salesforce.com zendesk.com freshdesk.com "
        "example.com example.org example.net"
    ).split()
}
# Words of a subject's status part ("Analyst - Assessment Completed"): never an employer.
STATUS_WORDS = frozenset(
    "update updates confirmation notification received submitted completed complete "
    "scheduled confirmed invitation reminder status feedback request required regarding "
    "application applications candidature candidacy "
    # the same in German and French subjects ("Absage", "Ihre Bewerbung", "Refus")
    "absage zusage einladung bewerbung eingangsbestätigung refus réponse".split()
)


# A subject's step or posting ("Offer of Employment", "Conditional Offer", "Job ID"): a name
# made of these words only is none ("Interview Kickstart" and "Competition Bureau" are names).
STEP_WORDS = frozenset(
    "offer offers interview interviews posting opening competition requisition vacancy id job "
    "of employment conditional final formal written verbal letter the your ref no number "
    # the same, and a status, in the other languages of the cues ("Candidatura", "Entrevista",
    # "Atualização", "Sollicitatiesysteem" stood for the employer in hand-written mail): general
    # knowledge of those subjects
    "candidatura candidaturas solicitud postulación entrevista entrevistas oferta vacante puesto "
    "vaga vagas actualización atualização confirmación confirmação convocatoria convite "
    "invitación sollicitatie sollicitaties sollicitatiesysteem sollicitatiegesprek vacature "
    "uitnodiging bevestiging afwijzing update colloquio posizione aggiornamento conferma invito "
    "ansökan intervju tjänst bekräftelse inbjudan rozmowa aplikacja zaproszenie".split()
)


def mailer_for(domain: str) -> str | None:
    return _suffix_lookup(domain, MAILER_DOMAINS)


def service_for(domain: str) -> str | None:
    return _suffix_lookup(domain, MAILER_DOMAINS) or _suffix_lookup(domain, SERVICE_DOMAINS)


def ats_for(domain: str) -> str | None:
    return _suffix_lookup(domain, ATS_DOMAINS) or _suffix_lookup(domain, ASSESSMENT_DOMAINS)


def board_for(domain: str) -> str | None:
    return _suffix_lookup(domain, BOARD_DOMAINS)


_ROBOT = re.compile("|".join(re.escape(r) for r in ROBOT_LOCALPARTS))


def is_robot(address: str) -> bool:
    """A robot's local part contains one of the robot words (no-reply, notifications, ...)."""
    return _ROBOT.search(address.partition("@")[0].lower()) is not None


# Where an ATS puts the employer in a job link: its public job-board URL formats, as the
# vendors document them ({slug} is the employer's name in the link). A digest of jobs from a
# board is not read for these: `extract_for` gives digests no employer.
ATS_URL_FORMATS = (
    r"jobs(?:\.eu)?\.lever\.co/{slug}",
    r"(?:job-)?boards(?:\.eu)?\.greenhouse\.io/(?:embed/job_app\?for=)?{slug}",
    r"{slug}\.greenhouse\.io",
    r"{slug}\.wd\d{{1,3}}\.myworkday(?:jobs|site)\.com",
    r"wd\d{{1,3}}\.myworkday\.com/{slug}",
    r"{slug}\.recruitee\.com",
    r"{slug}\.teamtailor\.com",
    r"(?:jobs|careers)\.smartrecruiters\.com/{slug}",
    r"{slug}\.smartrecruiters\.com",
    r"apply\.workable\.com/{slug}",
    r"{slug}\.workable\.com",
    r"jobs\.ashbyhq\.com/{slug}",
    r"{slug}\.bamboohr\.com",
    r"{slug}\.breezy\.hr",
    r"{slug}\.applytojob\.com",
    r"jobs\.jobvite\.com/{slug}",
    r"{slug}\.icims\.com",
    r"{slug}\.taleo\.net",
    r"{slug}\.pinpointhq\.com",
    r"{slug}\.jobs\.personio\.(?:de|com)",
    r"ats\.rippling\.com/{slug}",
    r"{slug}\.csod\.com",
    r"welcometothejungle\.com/[a-z]{{2}}/companies/{slug}",
)
# Host and path words of those links that are never an employer's slug.
ATS_URL_RESERVED = frozenset(
    "www app api boards job-boards jobs careers career apply click links link email mail em "
    "url go hire us eu help support info status blog my login auth candidate candidates ats "
    "talent developers cdn assets static secure accounts account embed o p j v1 en fr de "
    "job_app job-app search portal recruiting images img support-center".split()
)
