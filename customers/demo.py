"""Demo customers: real-sounding businesses with the people we know there."""

import datetime

from django.db import transaction

from .models import Customer
from .services import contact_save, customer_create

# slug: (external_id, name, industry, region, owner key, since, status, who, what, challenges, how we help, contacts)
CUSTOMERS = [
    (
        "kens-plumbing-supply", "CRM-1001", "Ken's Plumbing Supply", "Wholesale", "North America", "cs_host",
        "2014-05-01", "active",
        "A family-owned plumbing wholesaler in Dayton, Ohio, run by Ken Alvarez and his daughter Rosa. 38 people, two warehouses, and a counter that opens at 6 a.m. for contractors.",
        "Supplies pipe, fittings, water heaters and tools to about 400 local plumbing contractors, many of them one-truck crews.",
        "A contractor who arrives at 6 a.m. and finds a part missing loses the day. Ken's crews and customers work to fixed schedules on new housing estates; a late delivery from us means a crew stands idle and Ken pays for it.",
        "We supply **fittings and water heaters** on a weekly replenishment schedule, with next-morning delivery for emergency orders.\n\n- Ken's counter staff use our ordering portal\n- Our account team reviews his stock levels every quarter",
        [("Ken Alvarez", "Owner", "Married to Luz; three grown children, Rosa works in the business.", "Started as a plumber's apprentice at 17; bought the business in 1994.", "Coaches his grandson's baseball team.", "To hand the business to Rosa with both warehouses debt-free."),
         ("Rosa Alvarez", "Operations manager", "Two young sons.", "Runs purchasing and the warehouse team; introduced barcode scanning.", "Trail running.", "Open a third branch in Springfield.")],
    ),
    (
        "harbor-lights-bakery", "CRM-1002", "Harbor Lights Bakery", "Food & beverage", "North America", "cs_host",
        "2017-09-15", "active",
        "A wholesale bakery in Portland, Maine, baking bread for 60 restaurants and three hospitals overnight.",
        "Bakes 9,000 loaves a night; delivery vans leave at 4 a.m.",
        "An oven down at 2 a.m. means hospitals without bread at breakfast. They cannot wait for a technician on office hours.",
        "Our 24-hour service contract covers their deck ovens and mixers, with spare parts held on site.",
        [("Marguerite Dubois", "Head baker", "Lives with her partner and a very old cat.", "Trained in Lyon; 25 years at the ovens.", "Sails on weekends in summer.", "To train the next head baker before she retires.")],
    ),
    (
        "sunrise-dental", "CRM-1003", "Sunrise Dental Clinics", "Healthcare", "North America", "sales_host",
        "2019-02-01", "active",
        "A group of eleven dental clinics in Arizona, owned by the dentists who work in them.",
        "Cleanings, fillings and orthodontics for about 40,000 patients, many of them children.",
        "Sterilisation equipment must be certified every month; a failed autoclave closes a clinic for the day and patients are sent home.",
        "We supply and service their autoclaves and track certification dates for every clinic.",
        [("Dr. Angela Ruiz", "Managing partner", "Twin daughters in high school.", "Opened the first clinic in 2006.", "Plays cello in a community orchestra.", "A free clinic day every month for children without insurance.")],
    ),
    (
        "mekong-fresh-foods", "CRM-1004", "Mekong Fresh Foods", "Food & beverage", "Asia Pacific", "cs_host2",
        "2018-06-01", "active",
        "A seafood and vegetable processor in Cần Thơ, Vietnam, exporting to Japan and Europe.",
        "Cleans, freezes and packs 120 tonnes of produce a day from 300 family farms along the Mekong.",
        "Cold-chain breaks spoil whole containers. Export buyers audit every shipment's temperature log.",
        "Our refrigeration monitoring and spare compressors keep the cold rooms within half a degree.",
        [("Lê Thị Hồng", "Plant director", "Her father was one of the first farmers to supply the plant.", "Food engineer; led the plant's first export certification.", "Cooks for her extended family every Sunday.", "To pay the farmers a premium for sustainable practices.")],
    ),
    (
        "al-noor-logistics", "CRM-1005", "Al-Noor Logistics", "Logistics", "Middle East", "sales_host",
        "2016-11-20", "active",
        "A freight-forwarding and warehousing company in Jebel Ali, Dubai, with 600 employees.",
        "Moves goods for retailers across the Gulf; runs four bonded warehouses.",
        "Forklift downtime during the pre-Ramadan peak stalls hundreds of shipments a day.",
        "We lease and maintain their forklift fleet with guaranteed four-hour response.",
        [("خالد المنصوري", "Chief operating officer", "Father of four; his eldest son just started university.", "Former port engineer.", "Falconry in winter.", "To make Al-Noor the first carbon-neutral warehouse operator in the Gulf.")],
    ),
    (
        "galil-solar", "CRM-1006", "Galil Solar", "Energy", "Middle East", "cs_host",
        "2020-03-01", "at_risk",
        "A cooperative in the Galilee that installs rooftop solar for farms and villages.",
        "Designs and installs small solar arrays and batteries; 45 installers.",
        "Inverter shortages have delayed installations for months, and farmers have started to cancel.",
        "We supply inverters and mounting hardware; our lead times have become their biggest risk.",
        [("דוד אברהם", "Procurement lead", "Grandfather of six.", "Ran the kibbutz's dairy before solar.", "Bird watching in the Hula valley.", "Every village in the Galilee off diesel generators.")],
    ),
    (
        "persepolis-rugs", "CRM-1007", "Persepolis Rugs & Home", "Retail", "North America", "sales_host",
        "2015-08-10", "active",
        "A family chain of five home-furnishing stores in Toronto founded by Iranian immigrants.",
        "Sells hand-knotted rugs, furniture and restoration services.",
        "Their restoration workshop depends on humidity control; damage to a customer's heirloom rug is a disaster for their reputation.",
        "We installed and maintain the climate control in their workshop and warehouse.",
        [("نسرین احمدی", "Co-owner", "Runs the business with her brother; her mother still repairs rugs in the workshop.", "Trained as an architect.", "Persian poetry nights.", "A rug-repair school for young people.")],
    ),
    (
        "northwind-hospital", "CRM-1008", "Northwind Community Hospital", "Healthcare", "Europe", "cs_host",
        "2012-01-15", "active",
        "A 240-bed community hospital in Leeds serving a largely elderly population.",
        "Emergency care, surgery and a maternity unit; 1,800 staff.",
        "A late delivery of consumables means cancelled operations; the procurement team works to tight NHS budgets.",
        "We supply surgical consumables on consignment and manage their stock rooms.",
        [("Helen Price", "Head of procurement", "Two teenage sons who play rugby.", "Former theatre nurse.", "Fell walking in the Dales.", "Zero cancelled operations for supply reasons.")],
    ),
    (
        "bluebird-schools", "CRM-1009", "Bluebird School District", "Education", "North America", "sales_host",
        "2021-07-01", "active",
        "A rural school district in Montana with nine schools and 3,200 students.",
        "Runs schools, buses and meal programs across a county the size of a small country.",
        "Buses that do not start in −30 °C mornings mean children miss school.",
        "We supply engine heaters and service the bus fleet before every winter.",
        [("Mike Running Crane", "Transportation director", "Married, a daughter in the district's high school.", "Drove a school bus for twelve years.", "Ice fishing.", "Not one missed school day because of a bus.")],
    ),
    (
        "riverbend-farms", "CRM-1010", "Riverbend Farms Co-op", "Agriculture", "North America", "cs_host",
        "2013-04-01", "former",
        "A dairy co-operative of 80 farms in Wisconsin.",
        "Collects, chills and sells milk for its members.",
        "Milk prices and feed costs squeeze every farm; equipment failures at milking time are costly.",
        "We supplied milking-parlour equipment until 2023, when they moved to a local supplier.",
        [("Karen Olsen", "General manager", "Farm family for four generations.", "Ran her own 200-cow dairy.", "County fair judge.", "Keep family farms in the county.")],
    ),
    (
        "cascade-builders", "CRM-1011", "Cascade Builders", "Construction", "North America", "sales_host",
        "2018-10-01", "active",
        "A general contractor in Seattle building affordable housing.",
        "Builds 300–400 apartments a year with 25 subcontractors.",
        "Material delays push back handover dates, and families waiting for homes wait longer.",
        "We coordinate just-in-time deliveries of fixtures and HVAC equipment to their sites.",
        [("Jamal Washington", "Project director", "Newly married.", "Site engineer turned project director.", "Plays bass in a jazz trio.", "Build the city's first net-zero affordable housing block.")],
    ),
    (
        "coral-bay-hotels", "CRM-1012", "Coral Bay Hotels", "Hospitality", "Asia Pacific", "cs_host2",
        "2017-03-01", "active",
        "Three beach resorts in Đà Nẵng and Nha Trang.",
        "1,100 rooms, conference centres and a busy wedding business.",
        "Air-conditioning failures in peak season lead to refunds and bad reviews within hours.",
        "We maintain the chillers and keep spare parts in Đà Nẵng.",
        [("Phạm Quốc Huy", "Chief engineer", "Two children; his wife runs a café.", "Marine engineer on cargo ships for a decade.", "Free diving.", "Resorts that run on solar by 2030.")],
    ),
    (
        "atlas-machine-works", "CRM-1013", "Atlas Machine Works", "Manufacturing", "Europe", "cs_host",
        "2011-09-01", "active",
        "A precision machining company in Stuttgart making parts for medical devices.",
        "Five-axis machining for implant and surgical-tool makers; 140 machinists.",
        "Every batch needs full traceability; an uncertified tool in the chain can void a whole batch.",
        "We supply certified cutting tools with batch traceability data.",
        [("Katrin Vogel", "Quality director", "Caring for her father, who founded a machine shop himself.", "Materials scientist.", "Choir singing.", "Zero recalls, ever.")],
    ),
]


# About how many people work at each (it describes them in anonymised stories).
EMPLOYEES = {
    "kens-plumbing-supply": 38, "harbor-lights-bakery": 45, "sunrise-dental": 160, "mekong-fresh-foods": 420,
    "al-noor-logistics": 600, "galil-solar": 45, "persepolis-rugs": 70, "northwind-hospital": 1800,
    "bluebird-schools": 540, "riverbend-farms": 12, "cascade-builders": 120, "coral-bay-hotels": 900,
    "atlas-machine-works": 140,
}
# They asked not to be named: their stories are anonymised (stories/demo.py has one).
DO_NOT_NAME = {"riverbend-farms"}


@transaction.atomic
def seed(*, people):
    customers = {}
    for (slug, external_id, name, industry, region, owner_key, since, status, who, what, challenges, how,
         contacts) in CUSTOMERS:
        fields = {
            "external_id": external_id, "industry": industry, "region": region, "account_owner": people[owner_key],
            "customer_since": datetime.date.fromisoformat(since), "status": status, "who_they_are": who,
            "what_they_do": what, "daily_challenges": challenges, "how_we_help": how,
            "employees": EMPLOYEES.get(slug), "do_not_name": slug in DO_NOT_NAME,
        }
        customer = Customer.objects.filter(slug=slug).first()
        if customer is None:
            customer = customer_create(name=name, slug=slug, **fields)
        else:
            for key, value in {"name": name, **fields}.items():
                setattr(customer, key, value)
            customer.save()
        existing = {c.name: c for c in customer.contacts.all()}
        for contact_name, role, family, occupation, recreation, dreams in contacts:
            contact_save(
                by=people["admin"], customer=customer, contact=existing.get(contact_name),
                data={"name": contact_name, "role": role, "is_key": True, "family": family, "occupation": occupation,
                      "recreation": recreation, "dreams": dreams},
            )
        customers[slug] = customer
    return customers
