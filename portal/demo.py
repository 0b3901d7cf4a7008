"""Demo teams and people. Only demo data has passwords written down, never settings."""

from django.db import transaction

from .models import Team, User

DEMO_PASSWORD = "lifeline-demo"

TEAMS = [
    ("Finance", "finance", Team.Kind.BACK_OFFICE),
    ("HR", "hr", Team.Kind.BACK_OFFICE),
    ("Legal", "legal", Team.Kind.BACK_OFFICE),
    ("IT", "it", Team.Kind.BACK_OFFICE),
    ("Supply Chain", "supply-chain", Team.Kind.BACK_OFFICE),
    ("Safety", "safety", Team.Kind.BACK_OFFICE),
    ("Sales", "sales", Team.Kind.CUSTOMER_FACING),
    ("Customer Success", "customer-success", Team.Kind.CUSTOMER_FACING),
]

# key: (name, email, team slug, role, language, time zone, admin)
PEOPLE = {
    "admin": ("Ada Brennan", "admin@lifeline.example", None, User.Role.STAFF, "en", "Europe/London", True),
    "finance_leader": ("Grace Okafor", "grace@lifeline.example", "finance", User.Role.LEADER, "en", "America/Chicago", False),
    "finance_staff": ("Nguyễn Minh Anh", "minhanh@lifeline.example", "finance", User.Role.STAFF, "vi", "Asia/Ho_Chi_Minh", False),
    "finance_staff2": ("Tom Becker", "tom@lifeline.example", "finance", User.Role.STAFF, "en", "America/Chicago", False),
    "hr_leader": ("ليلى حداد", "layla@lifeline.example", "hr", User.Role.LEADER, "ar", "Asia/Dubai", False),
    "hr_staff": ("Chloe Martin", "chloe@lifeline.example", "hr", User.Role.STAFF, "en", "Europe/Paris", False),
    "legal_leader": ("יעל כהן", "yael@lifeline.example", "legal", User.Role.LEADER, "he", "Asia/Jerusalem", False),
    "legal_staff": ("مریم رحیمی", "maryam@lifeline.example", "legal", User.Role.STAFF, "fa", "Asia/Tehran", False),
    "it_leader": ("Omar Nasser", "omar@lifeline.example", "it", User.Role.LEADER, "ar", "Asia/Amman", False),
    "it_staff": ("נועה לוי", "noa@lifeline.example", "it", User.Role.STAFF, "he", "Asia/Jerusalem", False),
    "supply_leader": ("داریوش فراهانی", "dariush@lifeline.example", "supply-chain", User.Role.LEADER, "fa", "Europe/Berlin", False),
    "supply_staff": ("Ben Hughes", "ben@lifeline.example", "supply-chain", User.Role.STAFF, "en", "America/New_York", False),
    "safety_leader": ("Trần Văn Bảo", "bao@lifeline.example", "safety", User.Role.LEADER, "vi", "Asia/Ho_Chi_Minh", False),
    "safety_staff": ("Aisha Bello", "aisha@lifeline.example", "safety", User.Role.STAFF, "en", "Africa/Lagos", False),
    "sales_host": ("Priya Raman", "priya@lifeline.example", "sales", User.Role.HOST, "en", "America/New_York", False),
    "cs_host": ("Sam Carter", "sam@lifeline.example", "customer-success", User.Role.HOST, "en", "America/Chicago", False),
    "cs_host2": ("Hoàng Thu Hà", "thuha@lifeline.example", "customer-success", User.Role.HOST, "vi", "Asia/Ho_Chi_Minh", False),
}


@transaction.atomic
def seed_people():
    teams = {}
    for name, slug, kind in TEAMS:
        teams[slug], _ = Team.objects.update_or_create(slug=slug, defaults={"name": name, "kind": kind})
    people = {}
    for key, (name, email, team, role, language, tz, admin) in PEOPLE.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
        user.name, user.role, user.language, user.time_zone = name, role, language, tz
        user.team = teams.get(team)
        user.is_staff = user.is_superuser = admin
        user.save()
        people[key] = user
    return teams, people
