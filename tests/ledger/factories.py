"""factory_boy factories for the ledger app's pairing and service teams."""

import factory
from django.utils import timezone

from jingshi_jiafang.core.models import User
from ledger.models import PairingContact, ServiceTeam, TeamMember
from tests.core.factories import PairingLinkFactory, UserFactory, VillageFactory


class PairingContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PairingContact

    pairing = factory.SubFactory(PairingLinkFactory)
    date = factory.LazyFunction(timezone.localdate)
    method = PairingContact.Method.PHONE
    recorded_by = factory.SelfAttribute("pairing.user")


class ServiceTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceTeam

    area = factory.SubFactory(VillageFactory)
    name = factory.LazyAttribute(lambda team: f"{team.area.name}公安服务队")
    leader = factory.SubFactory(UserFactory, role=User.Role.OFFICER)


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(ServiceTeamFactory)
    name = factory.Sequence(lambda n: f"队员{n}")
    kind = TeamMember.Kind.VOLUNTEER
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
