"""Views of « Mon espace prévention » (FEATURES G1–G4): access, authorisation, content, the
« Réalisé » status of the child exams (G2), queries per page."""

import datetime
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from accounts.factories import AgentFactory, InsuredUserFactory
from assures.factories import (
    BeneficiaryFactory,
    LongTermConditionFactory,
    PersonFactory,
    PregnancyFactory,
)
from prevention.enums import ExamStatus
from prevention.models import ChildExamStatus

from .conftest import DUE

pytestmark = pytest.mark.django_db


def text_of(response):
    """The visible text of a page, whitespace collapsed (tags removed)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(strong|span|time|a|em|b)\b[^>]*>", "", html)  # inline: no space
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def exam_url(child, code):
    return reverse("prevention:exam_status", args=[child.public_id, code])


def child_url(child):
    return reverse("prevention:child", args=[child.public_id])


def pages(family):
    return [
        ("get", reverse("prevention:hub")),
        ("get", reverse("prevention:maternite")),
        ("get", child_url(family.hugo)),
        ("post", exam_url(family.hugo, "5e-annee")),
    ]


class TestAccess:
    def test_anonymous_goes_to_login(self, client, family):
        for method, url in pages(family):
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("account_login")), url
        assert not ChildExamStatus.objects.exists()

    def test_agent_is_sent_to_the_admin(self, client, family):
        client.force_login(AgentFactory())
        for method, url in pages(family):
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert response.url == reverse("admin:index"), url
        assert not ChildExamStatus.objects.exists()

    def test_navigation_entry_between_demarches_and_informations(self, client, family, frozen):
        """FEATURES « Navigation »: Accueil · Mes paiements · Mes démarches · « Mon espace
        prévention » · Mes informations."""
        client.force_login(family.user)
        for url in (reverse("prevention:hub"), child_url(family.hugo)):
            nav = client.get(url).context["main_navigation"]
            labels = [item["label"] for item in nav]
            index = labels.index("Mon espace prévention")
            assert labels[index - 1] == "Mes démarches"
            assert labels[index + 1] == "Mes informations"
            assert nav[index]["current"] and nav[index]["url"] == reverse("prevention:hub")
        nav = client.get(reverse("portal:mes_informations")).context["main_navigation"]
        assert not next(i for i in nav if i["label"] == "Mon espace prévention")["current"]


class TestHub:
    def test_camille_sees_maternity_children_and_mt_dents(self, client, family, frozen):
        client.force_login(family.user)
        response = client.get(reverse("prevention:hub"))
        assert response.status_code == 200
        text = text_of(response)
        assert "Mon espace prévention" in text
        # G1: due date, « 100 % maternité », congé of a 3rd child (Léa and Hugo before)
        assert "Maternité" in text
        assert "Date présumée d'accouchement 24 mars 2027" in text
        assert "« 100 % maternité » Du 24 novembre 2026 au 5 avril 2027" in text
        assert "Congé maternité (3e enfant ou plus) 26 semaines, du 27 janvier 2027 au " in text
        assert "27 juillet 2027 (8 semaines avant, 18 après l'accouchement)" in text
        assert "Aujourd'hui : 23 semaines d'aménorrhée et 6 jours (6e mois de grossesse)" in text
        assert "Prochain rendez-vous 2e échographie" in text
        # G2: each child's next exam
        assert "Santé de l'enfant" in text
        assert "Au cours de la 5e année" in text  # Hugo, until 2 February 2027
        assert "entre le 3 février 2026 et le 2 février 2027" in text
        assert "Entre 11 et 13 ans" in text  # Léa
        assert "Voir les examens de Hugo" in text and "Voir les examens de Léa" in text
        # G3: both children are between 3 and 24, Camille is not
        assert "Examen à faire entre le 3 février 2026 et le 2 février 2027" in text
        assert "Examen à faire entre le 12 juin 2026 et le 11 juin 2027" in text
        html = response.content.decode()
        assert f'href="{reverse("documents:mt_dents")}"' in html
        assert "Télécharger ma prise en charge M'T Dents" in text
        # G4: no ALD, no ALD part
        assert "ALD" not in text

    def test_second_child_gets_16_weeks_and_twins_34(self, client, family, frozen):
        family.lea.attached_to.all().delete()  # Léa no longer on the file: Hugo is the 1st
        client.force_login(family.user)
        text = text_of(client.get(reverse("prevention:hub")))
        assert "Congé maternité (1er ou 2e enfant) 16 semaines, du 10 février 2027" in text
        family.pregnancy.expected_children = 2
        family.pregnancy.save()
        text = text_of(client.get(reverse("prevention:hub")))
        assert "(2 enfants attendus)" in text
        assert "Congé maternité (naissance de jumeaux) 34 semaines" in text

    def test_nothing_about_maternity_without_a_current_pregnancy(self, client, family, frozen):
        family.pregnancy.expected_delivery = datetime.date(2025, 1, 10)  # long past
        family.pregnancy.save()
        client.force_login(family.user)
        response = client.get(reverse("prevention:hub"))
        assert "Maternité" not in text_of(response)
        assert response.context["pregnancies"] == []

    def test_pregnancy_of_an_ayant_droit_is_named(self, client, family, spouse, frozen):
        family.pregnancy.delete()
        PregnancyFactory(person=spouse, expected_delivery=DUE)
        client.force_login(family.user)
        text = text_of(client.get(reverse("prevention:hub")))
        assert f"Grossesse de {spouse.full_name}" in text
        assert "Voir les examens de" in text  # the spouse is no child: still only Léa, Hugo
        assert f"Voir les examens de {spouse.first_name}" not in text

    def test_another_familys_data_never_shows(self, client, family, other, frozen):
        PregnancyFactory(person=other.user.person, expected_delivery=datetime.date(2027, 1, 5))
        LongTermConditionFactory(person=other.user.person, label="Affection d'un autre")
        client.force_login(family.user)
        response = client.get(reverse("prevention:hub"))
        text = text_of(response)
        assert other.child.first_name not in text
        assert "Affection d'un autre" not in text
        assert [p.person for p in response.context["pregnancies"]] == [family.me]

    def test_alone_adult_with_an_ald(self, client, frozen):
        """G4: ALD start dates and advice; nobody for M'T Dents."""
        user = InsuredUserFactory(person__birth_date=datetime.date(1962, 1, 20))
        LongTermConditionFactory(
            person=user.person,
            label="Diabète de type 2",
            start=datetime.date(2015, 3, 1),
            advice="Faites un bilan de vos yeux chaque année.",
        )
        LongTermConditionFactory(
            person=user.person,
            label="Ancienne ALD",
            start=datetime.date(2001, 1, 1),
            end=datetime.date(2010, 1, 1),
        )
        client.force_login(user)
        text = text_of(client.get(reverse("prevention:hub")))
        assert "La prise en charge de mon ALD" in text
        assert "Diabète de type 2 Prise en charge à 100 % depuis le 1 mars 2015." in text
        assert "Faites un bilan de vos yeux chaque année." in text
        assert "Ancienne ALD" not in text  # ended
        assert "Personne de votre dossier n'a entre 3 et 24 ans." in text
        assert "Maternité" not in text and "Santé de l'enfant" not in text

    def test_generic_advice_when_the_ald_has_none(self, client, frozen):
        user = InsuredUserFactory()
        LongTermConditionFactory(person=user.person, advice="")
        client.force_login(user)
        assert "ordonnance « bizone »" in text_of(client.get(reverse("prevention:hub")))

    def test_toddler_waits_for_mt_dents_and_adults_are_not_children(self, client, family, frozen):
        baby = BeneficiaryFactory(
            insured=family.me,
            person__first_name="Zoé",
            person__birth_date=datetime.date(2025, 5, 31),
        ).person
        client.force_login(family.user)
        response = client.get(reverse("prevention:hub"))
        text = text_of(response)
        assert "Premier examen à partir du 31 mai 2028 (3 ans)" in text
        assert [h.person for h in response.context["children"]] == [family.lea, family.hugo, baby]
        assert "Au cours du 19e mois" not in text  # no such exam
        assert "Entre 16 et 18 mois" in text  # Zoé is 17 months old

    def test_queries_do_not_grow_with_the_family(
        self, client, family, frozen, django_assert_max_num_queries
    ):
        log_in(client, family.user)
        with django_assert_max_num_queries(HUB_QUERIES) as small:
            assert client.get(reverse("prevention:hub")).status_code == 200
        for n in range(4):
            child = BeneficiaryFactory(
                insured=family.me, person__birth_date=datetime.date(2015 + n, 1, 1)
            ).person
            ChildExamStatus.objects.create(person=child, exam="8-jours", status="realise")
            LongTermConditionFactory(person=child)
        with django_assert_max_num_queries(HUB_QUERIES) as big:
            assert client.get(reverse("prevention:hub")).status_code == 200
        assert len(big.captured_queries) == len(small.captured_queries)


# Counted once the session is fresh (the session is re-saved at most once a minute: 3 more
# queries on the first request after login, see tests/portal/test_request_costs.py).
# The user with its person and caisse (1), the header's unread counts (1), then the family,
# pregnancies, exam statuses and ALD (prevention.queries.prevention_space: 4).
HUB_QUERIES = 6
MATERNITY_QUERIES = 4  # user, header, family, pregnancies
CHILD_QUERIES = 4  # user, header, the child (owner-checked), its statuses


def log_in(client, user):
    """Log in and make a first request, so that the session write is not counted."""
    client.force_login(user)
    client.get(reverse("prevention:hub"))


class TestMaternite:
    def test_calendar(self, client, family, frozen, django_assert_max_num_queries):
        log_in(client, family.user)
        with django_assert_max_num_queries(MATERNITY_QUERIES):
            response = client.get(reverse("prevention:maternite"))
        assert response.status_code == 200
        text = text_of(response)
        for n in ("1er", "2e", "3e", "4e", "5e", "6e", "7e"):
            assert f"{n} examen prénatal" in text
        for n in ("1re", "2e", "3e"):
            assert f"{n} échographie" in text
        assert "1er examen prénatal (avant la fin du 3e mois) entre le 24 juin 2026 et le " in text
        assert "4e examen prénatal (au cours du 6e mois) entre le 24 novembre 2026 et le " in text
        assert "idéalement vers le 2 septembre 2026" in text  # 12 SA = 10/06 + 84 days
        assert "Congé prénatal (8 semaines) Du 27 janvier 2027 au 23 mars 2027" in text
        assert "Congé postnatal (18 semaines) Du 24 mars 2027 au 27 juillet 2027" in text
        assert "2 enfants déjà dans votre famille" in text
        assert "Prochain rendez-vous" in text
        steps = response.context["pregnancies"][0].steps()
        assert [s.label for s, _, is_next in steps if is_next] == ["2e échographie"]

    def test_no_pregnancy(self, client, frozen):
        client.force_login(InsuredUserFactory())
        response = client.get(reverse("prevention:maternite"))
        assert response.status_code == 200
        assert "Aucune grossesse en cours n'est déclarée sur votre dossier." in text_of(response)


class TestChildPage:
    def test_hugo(self, client, family, frozen, django_assert_max_num_queries):
        ChildExamStatus.objects.create(person=family.hugo, exam="8-jours", status="realise")
        log_in(client, family.user)
        with django_assert_max_num_queries(CHILD_QUERIES):
            response = client.get(child_url(family.hugo))
        assert response.status_code == 200
        text = text_of(response)
        assert f"Santé de l'enfant : {family.hugo.full_name}" in text
        assert "Prochain examen : Au cours de la 5e année, entre le 3 février 2026" in text
        lines = response.context["health"].lines
        assert len(lines) == 20  # FEATURES G2
        assert [line.code for line in response.context["current_lines"]][:2] == [
            "5e-annee",
            "6e-annee",
        ]
        assert len(response.context["past_lines"]) == 15
        assert "Examens passés (15)" in text
        html = response.content.decode()
        assert 'id="examen-5e-annee"' in html
        row = html[html.index('id="examen-8-jours"') :][:1500]
        assert "Réalisé" in row and "Remettre « À planifier »" in row
        assert "Vaccinations" in text and "Méningocoque B" in text
        assert "Repères" in text

    @pytest.mark.parametrize("whose", ["other", "spouse", "me", "unknown"])
    def test_someone_elses_child_is_a_404(self, client, family, other, spouse, whose):
        target = {
            "other": other.child,
            "spouse": spouse,
            "me": family.me,
            "unknown": PersonFactory.build(public_id=uuid.uuid4()),
        }[whose]
        client.force_login(family.user)
        assert client.get(child_url(target)).status_code == 404
        response = client.post(exam_url(target, "8-jours"), {"statut": "realise"})
        assert response.status_code == 404
        assert not ChildExamStatus.objects.exists()

    def test_the_other_parent_sees_their_own_file_only(self, client, family, other):
        client.force_login(other.user)
        assert client.get(child_url(family.hugo)).status_code == 404
        assert client.get(child_url(other.child)).status_code == 200


class TestExamStatus:
    def test_mark_done_then_to_plan_again(self, client, family, frozen):
        client.force_login(family.user)
        response = client.post(exam_url(family.hugo, "5e-annee"), {"statut": "realise"})
        assert response.status_code == 302
        assert response.url == child_url(family.hugo) + "#examen-5e-annee"
        record = ChildExamStatus.objects.get()
        assert (record.person, record.exam, record.status) == (
            family.hugo,
            "5e-annee",
            ExamStatus.DONE,
        )
        assert record.updated_by == family.user
        page = client.get(response.url)
        assert "Examen « Au cours de la 5e année » de Hugo : Réalisé." in text_of(page)
        assert page.context["health"].next.code == "6e-annee"

        client.post(exam_url(family.hugo, "5e-annee"), {"statut": "a_planifier"})
        assert ChildExamStatus.objects.get().status == ExamStatus.TO_PLAN
        assert client.get(child_url(family.hugo)).context["health"].next.code == "5e-annee"

    def test_double_post_creates_nothing_twice(self, client, family, frozen):
        client.force_login(family.user)
        for _ in range(2):
            response = client.post(exam_url(family.hugo, "5e-annee"), {"statut": "realise"})
            assert response.status_code == 302
        assert ChildExamStatus.objects.count() == 1
        assert ChildExamStatus.objects.get().status == ExamStatus.DONE

    def test_one_row_per_child_and_exam(self, client, family, frozen):
        client.force_login(family.user)
        client.post(exam_url(family.hugo, "5e-annee"), {"statut": "realise"})
        client.post(exam_url(family.lea, "5e-annee"), {"statut": "realise"})
        client.post(exam_url(family.hugo, "6e-annee"), {"statut": "realise"})
        assert ChildExamStatus.objects.count() == 3

    def test_post_only(self, client, family):
        client.force_login(family.user)
        assert client.get(exam_url(family.hugo, "5e-annee")).status_code == 405
        assert not ChildExamStatus.objects.exists()

    def test_csrf_token_required(self, family):
        csrf_client = Client(enforce_csrf_checks=True)
        csrf_client.force_login(family.user)
        response = csrf_client.post(exam_url(family.hugo, "5e-annee"), {"statut": "realise"})
        assert response.status_code == 403
        assert not ChildExamStatus.objects.exists()

    @pytest.mark.parametrize(
        ("code", "status", "expected"),
        [
            ("inconnu", "realise", 404),
            ("7e-annee", "realise", 404),  # not an exam of FEATURES G2's list
            ("8-jours", "", 400),
            ("8-jours", "fait", 400),
        ],
    )
    def test_bad_requests_change_nothing(self, client, family, code, status, expected):
        client.force_login(family.user)
        response = client.post(exam_url(family.lea, code), {"statut": status})
        assert response.status_code == expected
        assert not ChildExamStatus.objects.exists()
