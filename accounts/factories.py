import factory
from allauth.account.models import EmailAddress

from assures.factories import CaisseFactory, PersonFactory

from .models import User

DEMO_PASSWORD = "Ameli-Demo-2026"  # noqa: S105 - documented demo password (FEATURES)
AGENT_DEMO_PASSWORD = "Agent-Demo-2026"  # noqa: S105


class InsuredUserFactory(factory.django.DjangoModelFactory):
    """An insured person's online account; username = the person's NIR."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    username = factory.SelfAttribute("person.nir")
    first_name = factory.SelfAttribute("person.first_name")
    last_name = factory.SelfAttribute("person.last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password(DEMO_PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create and obj.email:
            EmailAddress.objects.update_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class AgentFactory(factory.django.DjangoModelFactory):
    """A CPAM agent: staff, attached to a caisse, works in the admin."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent.{n}")
    first_name = "Agent"
    last_name = factory.Sequence(lambda n: f"Numéro {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@cpam.example.org")
    is_staff = True
    caisse = factory.SubFactory(CaisseFactory)
    password = factory.django.Password(AGENT_DEMO_PASSWORD)

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(*extracted)
