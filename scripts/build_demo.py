"""Build the bundled demo mailbox (src/onward/demo/demo.mbox) from the messages below.

Every company, person and address here is fictional. Run: python scripts/build_demo.py
"""

from __future__ import annotations

import json
import mailbox
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "onward" / "demo"
ME = "Sam Rivera <sam.rivera@example.org>"
START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)

# (day, kind, from, subject, body, extras)  extras: reply_to, html, thread (index), labels
M: list[tuple[int, str, str, str, str, dict]] = [
    (
        0,
        "application_received",
        "Brightwave Analytics <no-reply@greenhouse.io>",
        "Thank you for applying to Brightwave Analytics",
        "Hi Sam,\n\nThanks for applying to the Data Analyst role at Brightwave Analytics. We have received your application and our team is reviewing it. If your experience matches what we are looking for, we will be in touch.\n\nBest,\nBrightwave Analytics Recruiting",
        {},
    ),
    (
        0,
        "not_job",
        "Maya Chen <maya.chen@example.net>",
        "Dinner on Friday?",
        "Hey! Are you still up for dinner on Friday? I found a new ramen place near the station. Let me know.\nMaya",
        {},
    ),
    (
        1,
        "application_received",
        "Northwind Traders <no-reply@hire.lever.co>",
        "Your application to Northwind Traders",
        "Dear Sam,\n\nThank you for your interest in the Operations Coordinator position at Northwind Traders. This email confirms we received your application. We review every application carefully.\n\nNorthwind Traders Talent Team",
        {},
    ),
    (
        1,
        "job_alert",
        "LinkedIn Job Alerts <jobalerts-noreply@linkedin.com>",
        "15 new jobs for 'data analyst' in Lisbon",
        "Your job alert for data analyst in Lisbon\n15 new jobs match your preferences.\n\nJunior Data Analyst - Harbor Health - Lisbon\nBI Analyst - Tidewater Logistics - Remote\nData Analyst II - Quayside Bank - Lisbon\n\nSee all jobs\nUnsubscribe from this alert",
        {"list": True},
    ),
    (
        2,
        "application_received",
        "Workday <pinecrest@myworkday.com>",
        "Application received: Junior Product Analyst (R-10234)",
        "Hello Sam Rivera,\n\nThank you for applying for the Junior Product Analyst position (R-10234) at Pinecrest Software. Your application has been successfully submitted. You can track the status of your application in the candidate home.\n\nPinecrest Software Talent Acquisition",
        {},
    ),
    (
        2,
        "not_job",
        "Greenleaf Grocery <orders@greenleaf-grocery.example>",
        "Your order #48213 is on its way",
        "Good news! Your order #48213 has shipped and should arrive on Thursday. Track your package at any time in your account.",
        {"list": True},
    ),
    (
        3,
        "application_received",
        "LinkedIn <jobs-noreply@linkedin.com>",
        "Sam, your application was sent to Harbor Health",
        "Your application was sent to Harbor Health\n\nJunior Data Analyst\nHarbor Health - Lisbon (Hybrid)\nApplied on September 4\n\nView similar jobs",
        {},
    ),
    (
        4,
        "rejection",
        "Northwind Traders <no-reply@hire.lever.co>",
        "Update on your application to Northwind Traders",
        "Hi Sam,\n\nThank you for taking the time to apply for the Operations Coordinator role at Northwind Traders. After careful consideration, we have decided to move forward with other candidates whose experience more closely matches our needs at this time.\n\nWe appreciate your interest and wish you the best in your search.\n\nNorthwind Traders Talent Team",
        {"thread": 2, "reply_to": "Priya Natarajan <priya.natarajan@northwind-traders.example>"},
    ),
    (
        4,
        "not_job",
        "Rafael Ortiz <rafa.ortiz@example.com>",
        "Photos from the hike",
        "Here are the photos from Sunday. The one at the summit came out great. Next one in October?",
        {},
    ),
    (
        5,
        "interview",
        "Dana Whitfield <dana.whitfield@brightwave.example>",
        "Interview invitation: Data Analyst at Brightwave Analytics",
        "Hi Sam,\n\nThanks again for applying for the Data Analyst position. We were impressed by your background and would like to invite you to a 30-minute video interview with our analytics lead.\n\nPlease pick a time that works for you using the link below:\nhttps://calendly.example/brightwave/data-analyst\n\nLooking forward to speaking with you,\nDana Whitfield\nTalent Partner, Brightwave Analytics",
        {"thread": 0},
    ),
    (
        6,
        "assessment",
        "Pinecrest Software <noreply@hackerrank.com>",
        "Pinecrest Software invites you to complete an online assessment",
        "Hi Sam,\n\nAs the next step for the Junior Product Analyst role, Pinecrest Software invites you to complete a 60-minute online assessment on HackerRank. The test covers SQL and basic statistics. Please complete it within 5 days.\n\nStart the test: https://hackerrank.example/tests/pinecrest-analyst\n\nGood luck!",
        {"thread": 4},
    ),
    (
        6,
        "not_job",
        "City Library <notices@library.example>",
        "Your books are due soon",
        "Reminder: 2 items are due on September 14. You can renew them online.",
        {"list": True},
    ),
    (
        7,
        "application_received",
        "Solstice Energy <careers@solstice-energy.example>",
        "We received your application - Energy Data Analyst",
        "Dear Sam Rivera,\n\nThank you for applying to Solstice Energy for the Energy Data Analyst position. We have received your application and will review it in the coming weeks. Due to the volume of applications we may not be able to reply to everyone individually.\n\nKind regards,\nSolstice Energy Recruitment",
        {},
    ),
    (
        8,
        "recruiter_outreach",
        "Jordan Blake <jordan@talentbridge-recruiting.example>",
        "Analyst opportunity with a fast-growing fintech",
        "Hi Sam,\n\nI came across your profile and thought you might be a great fit for an Analytics Associate role with one of our fintech clients in Lisbon. The team is small and the role has a lot of ownership. Are you open to new opportunities? Happy to share more details on a quick call.\n\nBest,\nJordan Blake\nSenior Recruiter, TalentBridge",
        {},
    ),
    (
        8,
        "job_alert",
        "Indeed <alert@indeed.com>",
        "New jobs for you: Business Analyst",
        "Business Analyst - Quayside Bank - Lisbon\nEasily apply\n\nReporting Analyst - Marisol Hotels - Porto\nNew\n\nYou are receiving this because you created a job alert on Indeed.",
        {"list": True},
    ),
    (
        9,
        "rejection",
        "Harbor Health <no-reply@ashbyhq.com>",
        "Your application to Harbor Health",
        "Hi Sam,\n\nThank you for your interest in the Junior Data Analyst position at Harbor Health. Unfortunately, we will not be moving forward with your application at this time. We received a large number of strong applications and the decision was not easy.\n\nWe will keep your details on file and encourage you to apply for future roles.\n\nHarbor Health People Team",
        {"thread": 6},
    ),
    (
        10,
        "not_job",
        "Bank of the Coast <alerts@bankofthecoast.example>",
        "Your monthly statement is ready",
        "Your September statement is now available in online banking. Log in to view it.",
        {},
    ),
    (
        11,
        "application_received",
        "Tidewater Logistics via Greenhouse <no-reply@greenhouse.io>",
        "Application confirmation: BI Analyst",
        "Hi Sam,\n\nThank you for applying to the BI Analyst position at Tidewater Logistics! Your application has been received. We'll review it and get back to you if there's a match.\n\nTidewater Logistics",
        {},
    ),
    (
        12,
        "interview",
        "Dana Whitfield <dana.whitfield@brightwave.example>",
        "Confirmed: Interview with Brightwave Analytics on Sep 16",
        "Hi Sam,\n\nYour interview is confirmed for Wednesday, September 16 at 14:00 (Lisbon time). You will meet Luis Moreira, our analytics lead. The video link is in the calendar invitation.\n\nBest,\nDana",
        {"thread": 9},
    ),
    (
        12,
        "other_job",
        "Quayside Bank Careers <careers-noreply@quaysidebank.example>",
        "Verify your email for the Quayside Bank careers site",
        "Welcome to the Quayside Bank careers site. Please confirm your email address to finish creating your candidate account. Your verification code is 482913.",
        {},
    ),
    (
        13,
        "not_job",
        "Tech Weekly <newsletter@techweekly.example>",
        "This week: the state of open data",
        "In this issue: why open data portals matter, a guide to spreadsheets for journalists, and our favourite tools of the month. Unsubscribe at any time.",
        {"list": True},
    ),
    (
        14,
        "application_received",
        "Quayside Bank <quaysidebank@myworkday.com>",
        "Thank you for applying to Quayside Bank",
        "Dear Sam,\n\nThank you for your application for the role of Data Analyst II (Job ID 7781). We confirm that your application has been received and is under review.\n\nQuayside Bank Talent Acquisition",
        {},
    ),
    (
        15,
        "assessment",
        "Solstice Energy <careers@solstice-energy.example>",
        "Next step: take-home exercise for Energy Data Analyst",
        "Hi Sam,\n\nThanks for your patience. We'd like you to complete a short take-home exercise: analyse the attached dataset of meter readings and send us a two-page summary of your findings. Please return it within one week.\n\nSolstice Energy Recruitment",
        {"thread": 12},
    ),
    (
        16,
        "not_job",
        "Maya Chen <maya.chen@example.net>",
        "Re: Dinner on Friday?",
        "Perfect, see you at 8 then!",
        {"thread": 1},
    ),
    (
        17,
        "rejection",
        "Tidewater Logistics <no-reply@greenhouse.io>",
        "Regarding your application for BI Analyst",
        "Dear Sam,\n\nThank you for your interest in Tidewater Logistics and for the time you invested in applying for the BI Analyst role. We regret to inform you that we have decided not to proceed with your application. The position has been filled by a candidate whose profile more closely fits the current needs of the team.\n\nWe wish you every success.\n\nTidewater Logistics Recruiting",
        {"thread": 17},
    ),
    (
        18,
        "job_alert",
        "Welcome to the Jungle <hello@welcometothejungle.com>",
        "5 offres pour vous cette semaine",
        "Voici une sélection d'offres qui correspondent à votre profil :\nData Analyst - Maison Lumière - Paris\nChargé d'études - Atelier Nord - Lyon\n\nVoir toutes les offres",
        {"list": True},
    ),
    (
        19,
        "application_received",
        "Maison Lumière <no-reply@welcometothejungle.com>",
        "Votre candidature chez Maison Lumière",
        "Bonjour Sam,\n\nMerci pour votre candidature au poste de Data Analyst chez Maison Lumière. Nous avons bien reçu votre candidature et nous reviendrons vers vous rapidement.\n\nL'équipe Maison Lumière",
        {},
    ),
    (
        20,
        "not_job",
        "Ferrovia Rail <tickets@ferrovia.example>",
        "Your e-ticket: Lisbon to Porto",
        "Thank you for your booking. Your e-ticket for the 09:39 train from Lisbon to Porto on October 2 is attached.",
        {},
    ),
    (
        21,
        "interview",
        "Luis Moreira <luis.moreira@brightwave.example>",
        "Next round: meet the team at Brightwave",
        "Hi Sam,\n\nIt was great talking to you last week. We'd like to invite you to a final round: a one-hour panel with two analysts and our head of data. Could you send me a few time slots that work for you next week?\n\nBest,\nLuis",
        {"thread": 18},
    ),
    (
        22,
        "rejection",
        "Pinecrest Software <pinecrest@myworkday.com>",
        "Junior Product Analyst (R-10234): application status",
        "Dear Sam Rivera,\n\nThank you for your interest in the Junior Product Analyst position at Pinecrest Software and for completing our assessment. After reviewing your results and your application, we will not be progressing your candidacy further.\n\nWe appreciate the time you spent and encourage you to apply for other opportunities that match your skills.\n\nPinecrest Software Talent Acquisition",
        {"thread": 10},
    ),
    (
        23,
        "other_job",
        "Solstice Energy <careers@solstice-energy.example>",
        "Energy Data Analyst: process on hold",
        "Hi Sam,\n\nA quick update: the hiring process for the Energy Data Analyst role is temporarily on hold while we review the team's budget. We will come back to you as soon as it resumes. Thank you for your patience.\n\nSolstice Energy Recruitment",
        {},
    ),
    (
        24,
        "not_job",
        "Dr. Ana Sousa <ana.sousa@clinic.example>",
        "Appointment reminder",
        "This is a reminder of your dental appointment on Tuesday at 10:30. Reply YES to confirm.",
        {},
    ),
    (
        25,
        "application_received",
        "Marisol Hotels <marisolhotels@smartrecruiters.com>",
        "Thanks for applying: Reporting Analyst",
        "Hi Sam,\n\nThanks for applying for the Reporting Analyst position at Marisol Hotels. We've received your application and our recruiters will review it shortly.\n\nMarisol Hotels",
        {},
    ),
    (
        26,
        "job_alert",
        "LinkedIn Job Alerts <jobalerts-noreply@linkedin.com>",
        "Jobs similar to Data Analyst at Harbor Health",
        "Jobs you may be interested in\nData Analyst - Coral Insurance - Lisbon\nAnalytics Engineer - Kestrel Labs - Remote\n\nSee all jobs",
        {"list": True},
    ),
    (
        27,
        "rejection",
        "Maison Lumière <no-reply@welcometothejungle.com>",
        "Votre candidature chez Maison Lumière",
        "Bonjour Sam,\n\nNous vous remercions de l'intérêt que vous portez à Maison Lumière. Malheureusement, nous ne pouvons pas donner une suite favorable à votre candidature pour le poste de Data Analyst. Nous vous souhaitons pleine réussite dans vos recherches.\n\nL'équipe Maison Lumière",
        {"thread": 26},
    ),
    (
        28,
        "offer",
        "Luis Moreira <luis.moreira@brightwave.example>",
        "Offer: Data Analyst at Brightwave Analytics",
        "Hi Sam,\n\nI'm delighted to let you know that we would like to offer you the Data Analyst position at Brightwave Analytics. Your offer letter with the details on salary and start date is attached. Please let us know if you have any questions; we'd love to have you on the team.\n\nWarm regards,\nLuis Moreira\nHead of Data",
        {"thread": 28},
    ),
    (
        29,
        "not_job",
        "Streamly <no-reply@streamly.example>",
        "New this week on Streamly",
        "Three new documentaries and the final season of your favourite show are now streaming.",
        {"list": True},
    ),
    (
        30,
        "application_received",
        "Kestrel Labs <no-reply@ashbyhq.com>",
        "Thanks for applying to Kestrel Labs!",
        "Hi Sam,\n\nThanks for applying for the Analytics Engineer role at Kestrel Labs. Our team will review your application and reach out if there's a fit.\n\nThe Kestrel Labs Team",
        {},
    ),
    (
        31,
        "recruiter_outreach",
        "Ines Ferreira <ines.ferreira@coralinsurance.example>",
        "Your profile and our Data Analyst opening",
        "Hello Sam,\n\nI'm a talent acquisition partner at Coral Insurance. Your profile caught my attention and I think you could be a strong fit for a Data Analyst role on our pricing team. Would you be interested in a short conversation this week?\n\nIn any case, thank you for your time.\nInes Ferreira",
        {},
    ),
    (
        32,
        "rejection",
        "Quayside Bank <quaysidebank@myworkday.com>",
        "Your application for Data Analyst II",
        "Dear Sam,\n\nThank you for applying for the Data Analyst II position at Quayside Bank. We have now reviewed all applications and regret that we will not be taking your application further on this occasion.\n\nKind regards,\nQuayside Bank Talent Acquisition\n\nThis is an automated message. Please do not reply.",
        {"thread": 21},
    ),
    (
        33,
        "not_job",
        "Rafael Ortiz <rafa.ortiz@example.com>",
        "Unfortunately I can't make it Saturday",
        "Unfortunately I can't make it on Saturday, something came up at work. Can we move the hike to next weekend? Sorry!",
        {},
    ),
    (
        34,
        "other_job",
        "Kestrel Labs <no-reply@ashbyhq.com>",
        "Reset your candidate portal password",
        "We received a request to reset the password for your candidate account. If this was you, use the link below within 30 minutes.",
        {},
    ),
    (
        35,
        "application_received",
        "Coral Insurance <no-reply@icims.com>",
        "Coral Insurance - Application Received",
        "Dear Sam,\n\nThank you for submitting your application for the Data Analyst (Pricing) position. We have received your application and will contact you if your qualifications match our requirements.\n\nCoral Insurance Talent Acquisition",
        {},
    ),
    (
        36,
        "not_job",
        "Journal of Open Data <editor@jod.example>",
        "Decision on your submission JOD-2026-114",
        "Dear author,\n\nThank you for submitting your manuscript. Unfortunately, after review, we are unable to accept it for publication in its current form. The reviewers' comments are below.",
        {},
    ),
    (
        37,
        "interview",
        "Ines Ferreira <ines.ferreira@coralinsurance.example>",
        "Coral Insurance: phone screen",
        "Hi Sam,\n\nThank you for applying! We'd like to schedule a 20-minute phone screen to learn more about you. Are you available Thursday or Friday afternoon? Please reply with a time that suits you.\n\nInes",
        {"thread": 36},
    ),
    (
        38,
        "job_alert",
        "Indeed <alert@indeed.com>",
        "Data Analyst jobs in Porto",
        "Data Analyst - Douro Wines - Porto\nJunior BI Developer - Ribeira Tech - Porto\n\nView all jobs",
        {"list": True},
    ),
    (
        39,
        "rejection",
        "Marisol Hotels <marisolhotels@smartrecruiters.com>",
        "Reporting Analyst position",
        "Dear Sam,\n\nThank you for your interest in the Reporting Analyst position. We appreciate the time you took to apply. While your qualifications are impressive, we have decided to pursue other candidates for this position.\n\nIf you have any questions, you can contact our recruiter Tomás Reis at tomas.reis@marisolhotels.example.\n\nBest wishes,\nMarisol Hotels Recruiting",
        {"thread": 30},
    ),
    (
        40,
        "not_job",
        "Greenleaf Grocery <orders@greenleaf-grocery.example>",
        "Rate your last order",
        "How did we do? Tell us about your order #48213 and get 10% off your next basket.",
        {"list": True},
    ),
    (
        41,
        "application_received",
        "Ribeira Tech <jobs@workablemail.com>",
        "Ribeira Tech: we got your application",
        "Hi Sam,\n\nThanks for your application for Junior BI Developer at Ribeira Tech. We will review it carefully and get back to you within two weeks.\n\nRibeira Tech hiring team",
        {},
    ),
    (
        42,
        "assessment",
        "Ribeira Tech <jobs@workablemail.com>",
        "Video interview: please record your answers",
        "Hi Sam,\n\nAs a next step for Junior BI Developer, please complete a one-way video interview on HireVue. It takes about 20 minutes. Please complete it by Friday.\n\nRibeira Tech hiring team",
        {"thread": 40},
    ),
    (
        43,
        "not_job",
        "Maya Chen <maya.chen@example.net>",
        "How did it go?",
        "Thinking of you today - how did the week go? Call me when you're free.",
        {},
    ),
    (
        44,
        "rejection",
        "Kestrel Labs <no-reply@ashbyhq.com>",
        "Kestrel Labs application update",
        "Hi Sam,\n\nThank you for applying for the Analytics Engineer role at Kestrel Labs. We've reviewed your application carefully and have decided not to move forward at this stage. This was a competitive process and we're grateful for your interest.\n\nThe Kestrel Labs Team",
        {"thread": 33},
    ),
    (
        45,
        "other_job",
        "Douro Wines <careers@dourowines.example>",
        "Invitation: Douro Wines careers open day",
        "Join us at our Porto office on November 20 for an open day: meet the team, hear about our graduate and analyst programmes, and enjoy a tasting.",
        {},
    ),
    (
        46,
        "application_received",
        "Douro Wines <no-reply@jobvite.com>",
        "Application received - Data Analyst",
        "Dear Sam,\n\nThank you for applying for the Data Analyst role at Douro Wines. We have received your application.\n\nDouro Wines HR",
        {},
    ),
    (
        47,
        "not_job",
        "Bank of the Coast <alerts@bankofthecoast.example>",
        "Security alert: new sign-in",
        "We noticed a new sign-in to your account from Chrome on Linux. If this was you, no action is needed.",
        {},
    ),
    (
        48,
        "recruiter_outreach",
        "Kai Turner <kai.turner@meridianstaffing.example>",
        "Contract BI role - 6 months",
        "Hi Sam, I'm recruiting for a 6-month BI contract with a retail client, fully remote, starting in January. Your SQL and dashboard experience looks like a good match. Interested? Reply with a good time to talk.",
        {},
    ),
    (
        49,
        "interview",
        "Douro Wines <careers@dourowines.example>",
        "Douro Wines: interview invitation",
        "Dear Sam,\n\nWe are pleased to invite you to an interview for the Data Analyst position on November 24 at 11:00 at our Porto office. Please confirm your attendance by replying to this email.\n\nDouro Wines HR",
        {"thread": 46},
    ),
    (
        50,
        "rejection",
        "Ribeira Tech <jobs@workablemail.com>",
        "Junior BI Developer at Ribeira Tech",
        "Hi Sam,\n\nThank you for the time you spent on our video interview. We enjoyed learning about you, but we have decided to proceed with candidates whose experience better matches this role. We will keep your resume on file for future openings.\n\nRibeira Tech hiring team",
        {"thread": 42},
    ),
    (
        51,
        "not_job",
        "Streamly <no-reply@streamly.example>",
        "Your subscription renews soon",
        "Your monthly plan renews on November 1. No action needed.",
        {},
    ),
    (
        52,
        "application_received",
        "Atlas Mobility <no-reply@greenhouse.io>",
        "Thank you for applying to Atlas Mobility",
        "Hi Sam,\n\nThank you for your interest in Atlas Mobility! We wanted to let you know we received your application for Mobility Data Analyst, and we are delighted that you would consider joining our team.\n\nAtlas Mobility Recruiting",
        {},
    ),
    (
        53,
        "job_alert",
        "Welcome to the Jungle <hello@welcometothejungle.com>",
        "Nouvelles offres : Data Analyst",
        "De nouvelles offres correspondent à votre alerte Data Analyst :\nData Analyst - Studio Brume - Paris\nAnalyste BI - Cobalt Assurances - Nantes",
        {"list": True},
    ),
    (
        54,
        "offer",
        "Douro Wines <careers@dourowines.example>",
        "Your offer from Douro Wines",
        "Dear Sam,\n\nFollowing your interview, we are pleased to offer you the position of Data Analyst at Douro Wines. Please find the offer letter attached; we would appreciate your answer by December 5.\n\nDouro Wines HR",
        {"thread": 49},
    ),
    (
        55,
        "rejection",
        "Coral Insurance <no-reply@icims.com>",
        "Coral Insurance - Data Analyst (Pricing)",
        "Dear Sam,\n\nThank you for speaking with us about the Data Analyst (Pricing) position. After careful consideration, we have decided to move forward with another candidate. We truly appreciated getting to know you.\n\nCoral Insurance Talent Acquisition",
        {"thread": 43, "reply_to": "Ines Ferreira <ines.ferreira@coralinsurance.example>"},
    ),
    (
        56,
        "not_job",
        "Tech Weekly <newsletter@techweekly.example>",
        "Hiring trends in tech this autumn",
        "Our editors look at which roles companies are hiring for this quarter, and which they are not. Plus: five books for the long winter evenings. Unsubscribe at any time.",
        {"list": True},
    ),
    (
        57,
        "other_job",
        "Atlas Mobility <no-reply@greenhouse.io>",
        "Please upload your documents",
        "Hi Sam,\n\nTo continue with your application for Mobility Data Analyst, please upload a copy of your degree certificate to the candidate portal.\n\nAtlas Mobility Recruiting",
        {"thread": 51},
    ),
    (
        58,
        "not_job",
        "Rafael Ortiz <rafa.ortiz@example.com>",
        "Job hunting tips?",
        "Hey, my cousin is looking for work in data too. Any tips on where to apply? Coffee next week?",
        {},
    ),
    (
        59,
        "application_received",
        "Cobalt Assurances <no-reply@welcometothejungle.com>",
        "Candidature envoyée : Analyste BI",
        "Bonjour Sam,\n\nVotre candidature pour le poste d'Analyste BI chez Cobalt Assurances a bien été envoyée. Le recruteur reviendra vers vous si votre profil correspond.\n\nWelcome to the Jungle",
        {},
    ),
]


def build() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "demo.mbox"
    target.unlink(missing_ok=True)
    box = mailbox.mbox(str(target))
    labels: dict[str, dict[str, str]] = {}
    ids: list[str] = []
    for i, (day, kind, sender, subject, body, extra) in enumerate(M):
        msg = EmailMessage()
        mid = f"<demo-{i:03d}@onward.example>"
        ids.append(mid)
        msg["From"] = sender
        msg["To"] = ME
        msg["Subject"] = subject
        when = START + timedelta(days=day, hours=i % 7, minutes=i * 7 % 60)
        msg["Date"] = format_datetime(when)
        msg["Message-ID"] = mid
        if "reply_to" in extra:
            msg["Reply-To"] = extra["reply_to"]
        if "thread" in extra and extra["thread"] < i:
            parent = ids[extra["thread"]]
            msg["In-Reply-To"] = parent
            msg["References"] = parent
        if extra.get("list"):
            msg["List-Unsubscribe"] = f"<mailto:unsubscribe-{i}@lists.example>"
        msg["X-Gmail-Labels"] = "Inbox,Opened" if kind == "not_job" else "Inbox,Category Updates"
        msg.set_content(body)
        if i % 3 == 0:  # a third of the mail is HTML too, as most ATS mail is
            paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
            msg.add_alternative(f"<html><body>{paras}</body></html>", subtype="html")
        entry = mailbox.mboxMessage(msg)
        entry.set_from("MAILER-DAEMON", when.timetuple())
        box.add(entry)
        labels[mid] = {"kind": kind}
    box.flush()
    box.close()
    (OUT / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(M)} messages to {target}")


if __name__ == "__main__":
    build()
