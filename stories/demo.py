"""Demo stories: real-sounding, about the demo customers, written by the demo leaders through the services.

Idempotent: a story is keyed by its customer and title; re-running updates it and adds nothing twice.
"""

import datetime
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from . import services
from .models import Comment, Reaction, Story, StoryEvent, Theme

THEMES = ["Reliability", "Speed", "Trust", "Safety", "Cash flow", "People", "Sustainability", "Quality"]

# (customer slug, author key, days ago, title, body, bought, impact, themes, team slugs)
STORIES = [
    ("kens-plumbing-supply", "finance_leader", 2, "Why Ken opens his counter at 6 a.m.",
     "I spent a morning behind the counter at **Ken's Plumbing Supply** in Dayton. By 6:15 there were eleven contractors in line, most of them one-truck crews on their way to new housing estates.\n\nKen told me: *\"If a fitting is missing at six, a crew of four stands idle until noon, and I pay for that, not the contractor.\"*\n\nWhen we moved his invoices to 60-day terms last year, Rosa had to delay a stock order to cover payroll. Two weeks later they ran out of ¾\" PEX fittings on a Monday.\n\n> Every day we're late is a day a family waits longer for their new house.\n\nWhat I took away for our team: payment terms are not just a number on a spreadsheet for Ken. They decide whether his shelves are full.",
     "Weekly replenishment of fittings and water heaters, next-morning emergency delivery.",
     "Crews that used to lose a day a month to missing parts now almost never do. Ken's counter staff order through our portal before 9 p.m. and the truck is there at 5:30.",
     ["Reliability", "Cash flow"], ["finance", "supply-chain"]),
    ("kens-plumbing-supply", "supply_leader", 20, "Rosa's barcode scanners",
     "Rosa Alvarez introduced barcode scanning in both warehouses last spring. She showed me how a picker now finds a part in 40 seconds instead of four minutes.\n\nThe catch: our labels changed format in March and half her scans failed for a week. Nobody told her.\n\n- 38 people, two warehouses\n- 400 contractors, most of them at the counter before 7 a.m.\n\nWe now send label changes to Rosa a month ahead.",
     "Labelled stock on weekly replenishment.", "Picking time down by 80%; fewer wrong parts on the trucks.",
     ["Quality", "Speed"], ["supply-chain", "it"]),
    ("harbor-lights-bakery", "safety_leader", 5, "Bread for three hospitals, baked at 2 a.m.",
     "Marguerite Dubois has run the ovens at **Harbor Lights Bakery** for 25 years. At 2 a.m. the bakery is loud, hot and full of flour dust.\n\nWhen a deck oven failed at 2:30 last winter, our technician was there by 3:10. The hospital breakfast trays still had bread.\n\nMarguerite's worry is not the ovens; it is the floor. Flour on tiles is slippery, and her team works fast. We talked through the anti-slip mats our safety team uses in our own warehouse.",
     "24-hour service contract for deck ovens and mixers; spare parts on site.",
     "Not one missed hospital delivery in two winters.", ["Reliability", "Safety"], ["safety"]),
    ("harbor-lights-bakery", "hr_leader", 33, "The next head baker",
     "Marguerite wants to retire in three years, and she is worried. Young bakers don't want night shifts.\n\nShe asked how we train our own technicians for night call-outs. Our HR team shared our apprenticeship plan, and she is now running a similar one with two apprentices.\n\n*\"You can't learn bread from a video,\"* she said.",
     "Service contract.", "Two apprentices on the night shift.", ["People"], ["hr"]),
    ("sunrise-dental", "legal_leader", 9, "A clinic closed for a day because of a certificate",
     "One of the eleven **Sunrise Dental** clinics had to send forty patients home: the autoclave's certificate had expired overnight. The autoclave itself was fine.\n\nDr. Angela Ruiz told me half the patients that day were children who had waited weeks for their appointment.\n\nOur contract said we *track* certification dates. It didn't say we *warn* anyone. We have since changed the contract language and added a 30-day reminder.",
     "Autoclaves, monthly certification tracking.", "No clinic has closed for paperwork since.", ["Trust", "Quality"], ["legal"]),
    ("sunrise-dental", "finance_leader", 60, "The free clinic day",
     "Once a month Sunrise Dental opens one clinic for children without insurance. Dr. Ruiz pays the staff herself.\n\nWhen we asked for a deposit on a replacement autoclave, that month's free day was at risk. We agreed staged payments instead.\n\nA small change in our terms kept 60 children's appointments.",
     "A replacement autoclave.", "The free clinic day kept running.", ["Cash flow", "Trust"], ["finance"]),
    ("mekong-fresh-foods", "it_leader", 12, "Half a degree in Cần Thơ",
     "Lê Thị Hồng runs a plant that freezes 120 tonnes of produce a day from 300 family farms. Her buyers in Japan audit every container's temperature log.\n\nIn June our monitoring system lost its connection for six hours after a software update. The cold rooms were fine, but the **log had a gap**, and a buyer rejected a container of shrimp.\n\nOur IT team now tests updates against a copy of her setup first, and updates are never pushed during the export season.",
     "Refrigeration monitoring, spare compressors.",
     "Temperature logs complete for 140 days in a row.", ["Reliability", "Quality"], ["it"]),
    ("mekong-fresh-foods", "supply_leader", 75, "Paying farmers a premium",
     "Hồng's dream is to pay farmers more for sustainable practices. To do that she needs lower energy costs.\n\nWe helped her swap three old compressors for efficient ones, delivered before the rainy season. Her electricity bill dropped by 18%.",
     "Three efficient compressors.", "18% lower energy costs, passed on to farmers.", ["Sustainability"], ["supply-chain"]),
    ("al-noor-logistics", "hr_leader", 15, "Four hours before Ramadan",
     "During the pre-Ramadan peak **Al-Noor Logistics** moves twice its usual volume through Jebel Ali. Every forklift counts.\n\nKhalid Al-Mansouri showed me their board: a forklift down for more than four hours means shipments miss the boat.\n\nOur technicians worked extra shifts, and our HR team made sure they were paid and rested properly. Khalid noticed: the same faces came back every day, and they knew the fleet.",
     "Leased forklift fleet with four-hour response.", "Peak season with zero missed sailings.", ["Reliability", "People"], ["hr", "safety"]),
    ("al-noor-logistics", "safety_leader", 90, "Charging batteries safely in 45 °C",
     "The warehouses reach 45 °C in August. Battery charging areas get hot.\n\nWe reviewed the charging stations with Khalid's team and moved two of them away from the loading docks.",
     "Forklift fleet maintenance.", "No heat incidents this summer.", ["Safety"], ["safety"]),
    ("galil-solar", "supply_leader", 4, "Farmers are cancelling because of us",
     "**Galil Solar** is a cooperative of 45 installers. David Avraham told me three farms cancelled last month. The reason: our inverters arrived four months late.\n\nThis one hurts. Our lead times have become their biggest business risk.\n\nWhat we are doing:\n\n1. A reserved monthly allocation for Galil\n2. Weekly status calls until the backlog clears\n3. An honest date on every order, even when it's bad news",
     "Inverters and mounting hardware.", "Too early to tell. We will report back.", ["Trust", "Speed"], ["supply-chain", "finance"]),
    ("persepolis-rugs", "legal_leader", 25, "An heirloom rug and a humidity sensor",
     "Nasrin Ahmadi's mother still repairs rugs in the workshop at **Persepolis Rugs & Home**. One rug on her table was 120 years old, brought from Tabriz by a customer's grandmother.\n\nIf the humidity control fails, the wool can shrink unevenly. That is not a warranty claim; it is a family's history.\n\nOur contract limited liability to the equipment value. We are rewriting it in plain language, with Nasrin, so it says what we actually promise.",
     "Climate control for workshop and warehouse.", "A contract Nasrin can explain to her customers.", ["Trust"], ["legal"]),
    ("northwind-hospital", "finance_leader", 45, "Cancelled operations and consignment stock",
     "Helen Price runs procurement at **Northwind Community Hospital** in Leeds. Before we managed their stock rooms, a late delivery meant cancelled operations — mostly elderly patients who had waited months.\n\nConsignment stock looks expensive on our balance sheet. Helen's numbers show what it buys: *zero cancellations for supply reasons in 14 months*.",
     "Surgical consumables on consignment, stock-room management.",
     "Zero cancelled operations for supply reasons in 14 months.", ["Reliability", "Cash flow"], ["finance", "supply-chain"]),
    ("bluebird-schools", "it_leader", 8, "−30 °C and the 6:40 bus",
     "Mike Running Crane drove a school bus for twelve years. Now he runs transport for **Bluebird School District** in Montana.\n\nOn the coldest mornings he checks every engine heater from his phone before 5 a.m. Last January the app wouldn't load because of an expired certificate on our side.\n\nHe drove to the depot instead. Every bus left on time, but Mike shouldn't have to drive 40 miles at −30 °C because of us.",
     "Engine heaters, pre-winter fleet service, remote monitoring.",
     "Not one missed school day because of a bus, two winters running.", ["Reliability", "Safety"], ["it"]),
    ("cascade-builders", "supply_leader", 30, "Families waiting for keys",
     "**Cascade Builders** hands over 300–400 affordable apartments a year in Seattle. Jamal Washington showed me the waiting list for one building: 212 families.\n\nOne late HVAC shipment pushed handover back three weeks. Just-in-time delivery to site has fixed most of it, as long as our dates are honest.",
     "Just-in-time fixtures and HVAC equipment.", "Handover dates held on the last four buildings.", ["Speed", "Trust"], ["supply-chain"]),
    ("coral-bay-hotels", "safety_leader", 18, "A wedding, 38 °C, and a chiller",
     "Phạm Quốc Huy is chief engineer at **Coral Bay Hotels**. In July a chiller failed two hours before a 300-guest wedding in Đà Nẵng.\n\nThe spare part was in our Đà Nẵng store. The ballroom was cool again in 90 minutes.\n\nHuy's next goal: resorts that run on solar by 2030.",
     "Chiller maintenance, spare parts held locally.", "Refunds for air conditioning down by two thirds.", ["Reliability", "Sustainability"], ["safety", "supply-chain"]),
    ("atlas-machine-works", "legal_leader", 50, "Zero recalls, ever",
     "Katrin Vogel's rule at **Atlas Machine Works** is simple: zero recalls. Every cutting tool that touches an implant part must be traceable to its batch.\n\nWhen our batch data came in a new file format, her auditors flagged it. We now send the data in the format her certification requires, and our legal team checked the wording of every certificate.",
     "Certified cutting tools with batch traceability data.", "A clean audit this year.", ["Quality", "Trust"], ["legal", "it"]),
]

# How some of the stories above are read and named (the rest: everyone, named inside the company).
ACCESS = {
    "Why Ken opens his counter at 6 a.m.": {
        "naming": "consented", "consent_method": "email",
        "consent_note": "Ken replied to our draft: “Use my name, and Rosa's.”",
    },
    "Cancelled operations and consignment stock": {"visibility": "teams", "audience": ["finance", "supply-chain"]},
}

# An anonymised story (the customer asked not to be named) and one for leaders only:
# (customer slug, author key, days ago, title, body, bought, impact, themes, team slugs, access)
RESTRICTED = [
    ("riverbend-farms", "supply_leader", 6, "Why a dairy co-operative left us",
     "Their general manager was frank with me: *\"Your parts were good. Your people were four hours away.\"*\n\nMilking starts at 4 a.m. on eighty farms. When a vacuum pump fails at 4:10, the cows cannot wait for a technician who leaves our depot at eight.\n\nA local supplier with a van in the county won them with a promise we never made: someone on the road before milking.\n\nWhat I took away: our service hours were designed around our office, not around their cows.",
     "Milking-parlour equipment and spare parts, until 2023.", "They moved to a local supplier.",
     ["Reliability", "People"], ["supply-chain"], {}),
    ("galil-solar", "finance_leader", 3, "What keeping Galil would cost us",
     "Before we decide on a reserved allocation for **Galil Solar**, here are the numbers: holding 40 inverters a month for them ties up cash we had planned for the autumn.\n\nLosing them would cost more: 45 installers, and every farm in the Galilee they talk to.\n\nI am sharing this with leaders first because the figures include our margins.",
     "Inverters and mounting hardware.", "A decision for the leaders' meeting on Monday.",
     ["Cash flow", "Trust"], ["finance"], {"visibility": "leaders"}),
]

# Stories in progress: (customer slug, author key, title, body, submitted?)
IN_PROGRESS = [
    ("coral-bay-hotels", "cs_host2", "Huy's solar plan for Nha Trang",
     "Huy showed me the roof plans for the Nha Trang resort. He wants to know whether our chillers can run on solar in the afternoon peak.", True),
    ("bluebird-schools", "sales_host", "Mike's winter checklist",
     "Mike keeps a paper checklist taped inside every bus. Draft: ask him if we can share it.", False),
]

REACTORS = ["finance_staff", "finance_staff2", "hr_staff", "legal_staff", "it_staff", "supply_staff", "safety_staff", "cs_host"]
COMMENTS = [
    ("finance_staff", "This changes how I think about payment terms. Can we talk about it at Monday's meeting?"),
    ("supply_staff", "We had the same issue with another customer. **Honest dates** help more than fast ones."),
    ("hr_staff", "Thank you for writing this down. I shared it with the new starters."),
    ("it_staff", "We should add this to the incident review checklist."),
    ("legal_staff", "Plain language in the contract is a great outcome."),
]


@transaction.atomic
def seed(*, teams, people, customers, **_ctx):
    rng = random.Random(3)
    themes = {}
    for name in THEMES:
        themes[name], _ = Theme.objects.update_or_create(slug=slugify(name), defaults={"name": name})
    now = timezone.now()
    published = []
    rows = [(*row, ACCESS.get(row[3], {})) for row in STORIES] + RESTRICTED
    for slug, author_key, days, title, body, bought, impact, theme_names, team_slugs, access in rows:
        customer, author = customers[slug], people[author_key]
        access = {**access, "audience": [teams[t] for t in access.get("audience", [])]}
        fields = {
            "customer": customer, "title": title, "body": body, "bought": bought, "impact": impact,
            "themes": [themes[n] for n in theme_names], "teams": [teams[t] for t in team_slugs],
            "language": "en",  # every demo story is in English, whatever its author's language
            **access,
        }
        story = Story.objects.filter(customer=customer, title=title).first()
        if story is None:
            story = services.story_create(by=author, **fields, publish=True)
        else:
            wanted = (body, bought, impact, "en", access.get("visibility", "everyone"))
            if (story.body, story.bought, story.impact, story.language, story.visibility) != wanted or (
                "naming" in access and story.naming != access["naming"]
            ):
                services.story_update(by=author, story=story, **fields)
            services.story_publish(by=author, story=story)
        at = now - datetime.timedelta(days=days, hours=rng.randint(0, 8))
        before = story.published_at  # now, or where an earlier seeding put it
        Story.objects.filter(pk=story.pk).update(published_at=at, created_at=at)
        # Its history happened then too (written, consent recorded, published), not as the demo was seeded;
        # seeded again, the story moves with today and its history with it.
        StoryEvent.objects.filter(Q(at__gte=now) | Q(at=before), story=story).update(at=at)
        published.append(story)

    for slug, author_key, title, body, submitted in IN_PROGRESS:
        customer, author = customers[slug], people[author_key]
        story = Story.objects.filter(customer=customer, title=title).first()
        if story is None:
            story = services.story_create(by=author, customer=customer, title=title, body=body, language="en")
        if submitted:
            services.story_submit(by=author, story=story)

    for i, story in enumerate(published):
        readers = rng.sample(REACTORS, k=rng.randint(2, 6))
        for key in readers:
            services.read_record(by=people[key], story=story)
        for key in readers[: rng.randint(1, len(readers))]:
            kind = Reaction.Kind.values[(i + len(key)) % len(Reaction.Kind.values)]
            if not Reaction.objects.filter(story=story, user=people[key], kind=kind).exists():
                services.reaction_toggle(by=people[key], story=story, kind=kind)
        if i % 3 == 0:
            key, text = COMMENTS[i % len(COMMENTS)]
            if not Comment.objects.filter(story=story, author=people[key], body=text).exists():
                services.comment_add(by=people[key], story=story, body=text)
    return published
