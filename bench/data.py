"""The bench's realistic database: articles over topics, weekly hours, thousands of appointments.

`build()` REPLACES the articles, topics, contributors, hours, time off and appointments of the
database it runs on, so it refuses to run on anything but a bench or test database.
Deterministic (seeded random), so two runs measure the same data.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from education.models import Article, Contributor, Reference, Topic
from scheduling.models import Appointment, BookingRules, TimeOff, WeeklyHours, clinic_zone
from scheduling.zones import STATE_ZONES

FULL = {"articles": 60, "topics": 6, "appointments": 3000}
SMALL = {"articles": 12, "topics": 6, "appointments": 300}
# Two years of a busy practice: the pages must scale with the window they show, not the table.
LARGE = {"articles": 60, "topics": 6, "appointments": 30000, "past_days": 730}

# 62 days is the most /book/slots.json serves; the horizon must reach past it for the bench's
# "62 days of slots" timing to compute 62 real days (the default rules stop at 30).
HORIZON_DAYS = 90
PAST_DAYS = 150
SEARCH_WORD = "naltrexone"

TOPICS = [
    ("Opioid use disorder", "opioid-use-disorder"),
    ("Naltrexone", "naltrexone"),
    ("Alcohol use disorder", "alcohol-use-disorder"),
    ("Psychotherapy", "psychotherapy"),
    ("Family and friends", "family-and-friends"),
    ("Recovery and relapse", "recovery-and-relapse"),
    ("Telehealth", "telehealth"),
    ("Mental health", "mental-health"),
]

SUBJECTS = {
    "opioid-use-disorder": ["opioid use disorder", "withdrawal", "cravings", "fentanyl", "overdose risk"],
    "naltrexone": [
        "naltrexone",
        "the monthly naltrexone injection",
        "naltrexone tablets",
        "blocking opioids",
    ],
    "alcohol-use-disorder": ["alcohol use disorder", "drinking less", "heavy drinking", "alcohol cravings"],
    "psychotherapy": [
        "psychotherapy",
        "cognitive behavioral therapy",
        "motivational interviewing",
        "therapy",
    ],
    "family-and-friends": [
        "supporting a loved one",
        "family conversations",
        "setting boundaries",
        "caregivers",
    ],
    "recovery-and-relapse": ["recovery", "relapse prevention", "triggers", "a recovery plan"],
    "telehealth": ["telehealth visits", "video appointments", "care from home", "privacy at home"],
    "mental-health": ["anxiety", "depression", "sleep problems", "stress"],
}

SENTENCES = [
    "Many people with {s} feel alone, but it is common and it can be treated.",
    "Treatment for {s} works best when it fits your life, your goals and your pace.",
    "Your doctor will ask about your health, your history and what matters most to you.",
    "There is no single right way to start, and it is never too late to ask for help.",
    "Some people notice changes within days; for others it takes a few weeks.",
    "Write down your questions about {s} before the visit so nothing is forgotten.",
    "Side effects are usually mild, and most of them fade after the first weeks.",
    "Tell your doctor about every medicine you take, including ones bought without a prescription.",
    "Research over many years shows that steady care lowers the risk of a return to use.",
    "Talking with someone you trust about {s} can make the next step feel smaller.",
    "Small changes add up: sleep, meals, movement and people who support you all help.",
    "If something does not feel right, call the office; a plan can always be adjusted.",
    "Insurance often covers care for {s}; the office can tell you what to expect.",
    "A slip is not a failure; it is information that helps shape the plan.",
    "Keep a short note of how you feel each day, and bring it to your next visit.",
    "Your privacy matters: what you share in a visit stays between you and your care team.",
]
NALTREXONE_SENTENCES = [
    "Naltrexone blocks the effects of opioids, so using them brings little or no high.",
    "Before starting naltrexone, you need to be free of opioids for about 7 to 10 days.",
    "Naltrexone is not addictive and does not cause withdrawal once opioids have cleared.",
]
HEADINGS = [
    "What is {s}?",
    "How common is {s}?",
    "How is {s} treated?",
    "What to expect at the first visit",
    "Questions to ask your doctor",
    "Living with {s}",
    "When to get help right away",
    "How family and friends can help",
    "Myths and facts",
    "The bottom line",
]


@dataclass(frozen=True)
class Built:
    articles: int
    topics: int
    appointments: int
    upcoming_confirmed: int
    slug: str  # a real article slug, for the article page row


class NotABenchDatabase(RuntimeError):
    pass


def _check_database() -> None:
    name = str(connection.settings_dict["NAME"])
    leaf = name.replace("\\", "/").rsplit("/", 1)[-1]
    if not (leaf.endswith("_bench") or leaf.startswith("test") or "memory" in leaf or "bench" in leaf):
        raise NotABenchDatabase(
            f"bench.data replaces all articles and appointments; refusing to run on database {name!r} "
            "(only a *_bench or test database)."
        )


def article_markdown(rng: random.Random, subject: str, *, mentions_search_word: bool, words: int) -> str:
    """A realistic article body: ## sections of paragraphs, a list, and a link, about `words` long."""
    parts = []
    count = 0
    headings = rng.sample(HEADINGS, k=len(HEADINGS))
    section = 0
    while count < words:
        heading = headings[section % len(headings)].format(s=subject)
        parts.append(f"## {heading[0].upper()}{heading[1:]}")
        section += 1
        for _ in range(rng.randint(2, 4)):
            pool = SENTENCES + (NALTREXONE_SENTENCES if mentions_search_word else [])
            paragraph = " ".join(rng.choice(pool).format(s=subject) for _ in range(rng.randint(3, 6)))
            parts.append(paragraph)
            count += len(paragraph.split())
        if section % 3 == 0:
            parts.append("\n".join(f"- {rng.choice(SENTENCES).format(s=subject)}" for _ in range(4)))
        if section % 4 == 0:
            parts.append("Read more in [SAMHSA's guide](https://www.samhsa.gov/find-help) or call 988.")
    return "\n\n".join(parts) + "\n"


def _slot_starts(day: date, zone) -> list[datetime]:
    """The 09:00-17:00 clinic-time grid of a weekday: a 10-minute call every 15 minutes."""
    first = datetime.combine(day, time(9, 0), tzinfo=zone)
    return [(first + timedelta(minutes=15 * k)).astimezone(UTC) for k in range(32)]


def _positions(start: date, end: date, zone) -> list[datetime]:
    day, positions = start, []
    while day < end:
        if day.weekday() < 5:
            positions.extend(_slot_starts(day, zone))
        day += timedelta(days=1)
    return positions


def _appointment(rng: random.Random, index: int, start: datetime, status: str) -> Appointment:
    state = rng.choice(["NY", "TX", "CA"])
    # Fictional people: 555-01xx numbers and example.test addresses.
    return Appointment(
        start=start,
        end=start + timedelta(minutes=10),
        status=status,
        full_name=f"Bench Patient {index:05d}",
        email=f"patient{index:05d}@example.test",
        phone=f"+1212555{index % 100:04d}",
        state=state,
        time_zone=rng.choice(list(STATE_ZONES[state])),
        contact_method=rng.choice(["phone", "video"]),
        note="" if index % 3 else "First time reaching out.",
        source="staff" if index % 7 == 0 else "online",
    )


def _appointments(rng: random.Random, total: int, now: datetime, past_days: int) -> list[Appointment]:
    zone = clinic_zone()
    today = now.astimezone(zone).date()
    past = [p for p in _positions(today - timedelta(days=past_days), today, zone) if p < now]
    # Upcoming ones start after the minimum notice, as online bookings would.
    upcoming = _positions(today + timedelta(days=2), today + timedelta(days=HORIZON_DAYS), zone)
    n_past = min(len(past), total * 2 // 3)
    n_upcoming = total - n_past
    n_confirmed = min(len(upcoming) // 2, n_upcoming * 3 // 4)  # leave half the grid free to book
    status = Appointment.Status
    rows = []
    for start in sorted(rng.sample(past, n_past)):
        roll = rng.random()
        if start > now - timedelta(days=3):
            choice = status.CONFIRMED  # not marked yet
        elif roll < 0.70:
            choice = status.COMPLETED
        elif roll < 0.78:
            choice = status.NO_SHOW
        elif roll < 0.93:
            choice = status.CANCELLED_BY_PATIENT
        else:
            choice = status.CANCELLED_BY_CLINIC
        rows.append(_appointment(rng, len(rows), start, choice))
    for start in sorted(rng.sample(upcoming, n_confirmed)):
        rows.append(_appointment(rng, len(rows), start, status.CONFIRMED))
    # Cancelled upcoming ones sit anywhere on the grid: a cancelled time is free again.
    for _ in range(n_upcoming - n_confirmed):
        cancelled = rng.choice([status.CANCELLED_BY_PATIENT, status.CANCELLED_BY_CLINIC])
        rows.append(_appointment(rng, len(rows), rng.choice(upcoming), cancelled))
    return rows


@transaction.atomic
def build(
    *,
    articles: int,
    topics: int,
    appointments: int,
    past_days: int = PAST_DAYS,
    now: datetime | None = None,
    seed: int = 9,
) -> Built:
    """Replace the content with `articles` published articles over `topics` topics, Mon-Fri
    09:00-17:00 hours, and `appointments` appointments (up to 2/3 past, over `past_days`; the
    rest upcoming, half the grid at most confirmed and the others cancelled; all statuses)."""
    _check_database()
    now = now or timezone.now()
    rng = random.Random(seed)

    Appointment.objects.all().delete()
    TimeOff.objects.all().delete()
    WeeklyHours.objects.all().delete()
    Reference.objects.all().delete()
    Article.objects.all().delete()
    Topic.objects.all().delete()
    Contributor.objects.all().delete()

    WeeklyHours.objects.bulk_create(
        WeeklyHours(weekday=weekday, start_time=time(9, 0), end_time=time(17, 0)) for weekday in range(5)
    )
    rules = BookingRules.load()
    rules.horizon_days = HORIZON_DAYS
    rules.save()

    reviewer = Contributor.objects.create(
        name="Dr. Panagopoulos", credentials="Double-board-certified addiction psychiatrist"
    )
    editors = Contributor.objects.create(name="The practice's editorial team", is_organization=True)
    topic_rows = [
        Topic.objects.create(name=name, slug=slug, description=f"Articles about {name.lower()}.")
        for name, slug in TOPICS[:topics]
    ]
    created = []
    for index in range(articles):
        topic = topic_rows[index % len(topic_rows)]
        subject = SUBJECTS[topic.slug][index // len(topic_rows) % len(SUBJECTS[topic.slug])]
        mentions = topic.slug in ("naltrexone", "opioid-use-disorder") or index % 5 == 0
        article = Article(
            title=f"{subject[0].upper()}{subject[1:]}: a guide, part {index + 1}",
            slug=f"{topic.slug}-guide-{index + 1}",
            summary=f"What to know about {subject}, how it is treated, and how to take the first step.",
            body_markdown=article_markdown(
                rng, subject, mentions_search_word=mentions, words=rng.randint(900, 1600)
            ),
            author=editors,
            medical_reviewer=reviewer,
            last_reviewed=(now - timedelta(days=rng.randint(10, 300))).date(),
            status=Article.Status.PUBLISHED,
            publish_at=now - timedelta(days=3 * (articles - index), hours=rng.randint(0, 23)),
        )
        article.save()
        article.topics.set([topic, rng.choice(topic_rows)])
        Reference.objects.bulk_create(
            Reference(
                article=article,
                position=position,
                citation=f"Author {position}. A study of {subject}. J Addict Med. 20{10 + position}.",
                url=f"https://example.org/study/{index}-{position}",
            )
            for position in range(rng.randint(2, 5))
        )
        created.append(article)
    for article in created:
        others = [other for other in created if other.pk != article.pk]
        article.related_articles.set(rng.sample(others, k=min(3, len(others))))

    rows = _appointments(rng, appointments, now, past_days)
    Appointment.objects.bulk_create(rows, batch_size=500)
    return Built(
        articles=len(created),
        topics=len(topic_rows),
        appointments=len(rows),
        upcoming_confirmed=sum(1 for row in rows if row.status == "confirmed" and row.start > now),
        slug=created[len(created) // 2].slug if created else "",
    )
