"""Load a realistic volume into PostgreSQL for the benchmarks (ARCHITECTURE « Testing and
measuring »): ≥ 100 000 insured people and ≥ 10 000 000 payments, bulk-loaded with COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
        .venv/bin/python bench/load_payments.py [--people 100000] [--payments 10000000]

The database is created if missing, migrated, then filled. Two bench accounts are created:
`heavy` (10 000 payments) and `light` (10 payments), both with the demo password; their NIRs are
printed and written to var/bench_users.json for bench/pages.py. Re-running empties the bench
rows first.
"""

import argparse
import datetime
import io
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

LABELS = [
    ("soins", "Consultation médecin généraliste", "tiers"),
    ("soins", "Médicaments", "tiers"),
    ("soins", "Analyses de biologie", "tiers"),
    ("soins", "Consultation spécialiste", "assure"),
    ("soins", "Séance de kinésithérapie", "tiers"),
    ("ij", "Indemnités journalières maladie", "assure"),
]


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def nir_for(index):
    """A unique, well-formed 13-digit NIR for bench person `index` (sex 1/2, month 01-12)."""
    sex = 1 + index % 2
    year = 40 + index % 60
    month = 1 + index % 12
    return f"{sex}{year:02d}{month:02d}99{index // 1000 % 1000:03d}{index % 1000:03d}"[:13]


def copy_rows(cursor, table, columns, rows, batch=200_000):
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    buffer = io.StringIO()
    count = 0
    with cursor.copy(sql) as copy:
        for row in rows:
            buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
            buffer.write("\n")
            count += 1
            if count % batch == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--payments", type=int, default=10_000_000)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must point to a PostgreSQL database (e.g. …/portal_bench)")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)

    from accounts.factories import DEMO_PASSWORD
    from accounts.models import User
    from assures.models import Caisse, Person
    from paiements.models import Payment

    caisses = list(Caisse.objects.values_list("pk", flat=True))
    rng = random.Random(10_000_000)
    today = datetime.date.today()
    started = time.monotonic()

    with connection.cursor() as cursor:
        bench_people = "SELECT id FROM assures_person WHERE nir LIKE '_____99%%'"
        cursor.execute(f"DELETE FROM paiements_payment WHERE insured_id IN ({bench_people})")
        cursor.execute("DELETE FROM accounts_user WHERE username LIKE '_____99%%'")
        cursor.execute("DELETE FROM assures_person WHERE nir LIKE '_____99%%'")
    print(f"cleaned previous bench rows in {time.monotonic() - started:.1f}s")

    t0 = time.monotonic()
    person_columns = [
        "public_id",
        "nir",
        "sex",
        "last_name",
        "usage_name",
        "first_name",
        "birth_date",
        "birth_place",
        "caisse_id",
        "rights_start",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "country",
    ]

    def people():
        for i in range(args.people):
            nir = nir_for(i)
            birth = datetime.date(1900 + int(nir[1:3]), int(nir[3:5]), 1 + i % 28)
            yield (
                uuid.uuid4(),
                nir,
                nir[0],
                f"BENCH{i}",
                "",
                "Personne",
                birth,
                "Paris",
                caisses[i % len(caisses)],
                datetime.date(2000, 1, 1),
                f"{i} rue du Banc",
                "",
                "75013",
                "Paris",
                "France",
            )

    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        copy_rows(cursor, "assures_person", person_columns, people())
    raw.commit()
    ids = dict(Person.objects.filter(last_name__startswith="BENCH").values_list("nir", "pk"))
    person_ids = [ids[nir_for(i)] for i in range(args.people)]
    print(f"{len(person_ids)} people loaded in {time.monotonic() - t0:.1f}s")

    heavy, light = person_ids[0], person_ids[1]
    per_person = {heavy: 10_000, light: 10}
    remaining = args.payments - sum(per_person.values())
    others = person_ids[2:]
    base, extra = divmod(remaining, len(others))

    # Drop secondary indexes during the load, rebuild them after (much faster than maintaining).
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'paiements_payment'::regclass AND contype IN ('u', 'f')"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'paiements_payment' "
            "AND indexname NOT LIKE '%%_pkey' AND NOT indexname = ANY(%s)",
            [[name for name, _ in constraints]],
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE paiements_payment DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    raw.commit()

    payment_columns = [
        "public_id",
        "insured_id",
        "beneficiary_id",
        "paid_on",
        "nature",
        "label",
        "amount",
        "payee",
        "payee_name",
        "care_date",
        "sent_to_complementary",
    ]

    def payments():
        for position, pid in enumerate(person_ids):
            count = per_person.get(pid, base + (1 if position - 2 < extra else 0))
            for _ in range(count):
                nature, label, payee = rng.choice(LABELS)
                paid_on = today - datetime.timedelta(days=rng.randint(0, 365 * 8))
                yield (
                    uuid.uuid4(),
                    pid,
                    pid,
                    paid_on,
                    nature,
                    label,
                    f"{rng.randint(100, 15000) / 100:.2f}",
                    payee,
                    "",
                    paid_on - datetime.timedelta(days=3),
                    "t" if rng.random() < 0.8 else "f",
                )

    t0 = time.monotonic()
    with raw.cursor() as cursor:
        loaded = copy_rows(cursor, "paiements_payment", payment_columns, payments())
    raw.commit()
    print(f"{loaded} payments copied in {time.monotonic() - t0:.1f}s")

    t0 = time.monotonic()
    with raw.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE paiements_payment ADD CONSTRAINT "{name}" {definition}')
    raw.commit()
    # VACUUM sets the visibility map, as autovacuum would on a live database: without it the
    # index-only scans of « Mes paiements » (payment_insured_paid_on INCLUDE …) read the heap.
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) assures_person")
        cursor.execute("VACUUM (ANALYZE) paiements_payment")
    raw.autocommit = False
    print(f"indexes and constraints rebuilt, tables vacuumed in {time.monotonic() - t0:.1f}s")

    users = {}
    for key, pid in (("heavy", heavy), ("light", light)):
        person = Person.objects.get(pk=pid)
        user = User(username=person.nir, person=person, email=f"{key}@bench.example.org")
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[key] = {"nir": person.nir, "payments": Payment.objects.filter(insured=person).count()}
    out = BASE_DIR / "var" / "bench_users.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(users, indent=2))
    total = Payment.objects.count()
    people_count = Person.objects.count()
    print(f"done in {time.monotonic() - started:.0f}s: {people_count} people, {total} payments")
    print(json.dumps(users))


if __name__ == "__main__":
    main()
