import factory

from accounts.models import Role, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name", locale="en_IN")
    phone = factory.Sequence(lambda n: f"+91 98{n:08d}")
    role = Role.STUDENT
    password = factory.django.Password(PASSWORD)
