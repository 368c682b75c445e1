"""factory_boy factories for core: the organisation, the land, people and their links."""

from datetime import date, timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jingshi_jiafang.core.models import (
    Area,
    AreaLink,
    Household,
    HouseholdAttachment,
    HouseholdLink,
    Organisation,
    OrganisationLink,
    PairingLink,
    Unit,
    User,
)
from jingshi_jiafang.core.validators import id_number_check_char

TEST_PASSWORD = "Test-password-2026"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def valid_id_number(n: int) -> str:
    birth = date(1950, 1, 1) + timedelta(days=n // 1000)
    first17 = f"321322{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_number_check_char(first17)


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ["code"]

    kind = Unit.Kind.BUREAU
    name = "沭阳县公安局"
    code = "SY"


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    kind = Unit.Kind.STATION
    name = factory.Sequence(lambda n: f"第{n}派出所")
    code = factory.Sequence(lambda n: f"S{n:03d}")
    parent = factory.SubFactory(BureauFactory)


class PoliceRoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    kind = Unit.Kind.POLICE_ROOM
    name = factory.Sequence(lambda n: f"第{n}中心警务室")
    code = factory.Sequence(lambda n: f"R{n:03d}")
    parent = factory.SubFactory(StationFactory)


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    kind = Area.Kind.TOWN
    name = factory.Sequence(lambda n: f"第{n}镇")
    code = factory.Sequence(lambda n: f"T{n:05d}")
    unit = factory.SubFactory(StationFactory)


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    kind = Area.Kind.VILLAGE
    name = factory.Sequence(lambda n: f"第{n}村")
    code = factory.Sequence(lambda n: f"V{n:05d}")
    parent = factory.SubFactory(TownFactory)
    unit = factory.SubFactory(PoliceRoomFactory, parent=factory.SelfAttribute("..parent.unit"))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    village = factory.SubFactory(VillageFactory)
    head_name = factory.Sequence(lambda n: f"张{n}")
    head_id_number = factory.Sequence(valid_id_number)
    members_count = 3
    address = factory.LazyAttribute(lambda h: f"{h.village.name}1组{h.head_name}家")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"第{n}小学")
    address = "1组"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"民警{n}")
    role = User.Role.OFFICER
    unit = factory.SubFactory(PoliceRoomFactory)
    password = factory.django.Password(TEST_PASSWORD)


class HouseholdLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdLink

    officer = factory.SubFactory(UserFactory)
    household = factory.SubFactory(HouseholdFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class AreaLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaLink

    user = factory.SubFactory(UserFactory, role=User.Role.CADRE)
    area = factory.SubFactory(VillageFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class PairingLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PairingLink

    user = factory.SubFactory(UserFactory, role=User.Role.CADRE)
    household = factory.SubFactory(HouseholdFactory, is_hardship=True)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400))


def png_upload(name: str = "户口簿.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdAttachment

    household = factory.SubFactory(HouseholdFactory)
    uploaded_by = factory.SubFactory(UserFactory)
    file = factory.LazyFunction(png_upload)
    original_name = "户口簿.png"
    content_type = "image/png"
    size = len(PNG_BYTES)


class OrganisationLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationLink

    officer = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
