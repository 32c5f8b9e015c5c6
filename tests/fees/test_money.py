"""Money on screen: one filter, babel's Indian grouping, num2words' Indian words."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from accounts.institute import memory as institute_memory
from accounts.models import Institute
from musicbeats.money import amount_in_words, format_money


@pytest.mark.parametrize(
    "amount,text",
    [
        ("100000", "₹1,00,000.00"),
        ("1234567.5", "₹12,34,567.50"),
        ("0.05", "₹0.05"),
        ("-500", "-₹500.00"),
        ("10000000", "₹1,00,00,000.00"),
    ],
)
def test_format_money_groups_digits_the_indian_way(amount, text):
    assert format_money(Decimal(amount)) == text


def test_format_money_refuses_floats():
    with pytest.raises(TypeError):
        format_money(1500.5)


@pytest.mark.parametrize(
    "amount,words",
    [
        ("100000", "Rupees one lakh only"),
        (
            "123456.50",
            "Rupees one lakh, twenty-three thousand, four hundred and fifty-six "
            "and fifty paise only",
        ),
        ("1", "Rupee one only"),
        ("0.50", "Fifty paise only"),
        ("1.01", "Rupee one and one paisa only"),
        ("10000000", "Rupees one crore only"),
    ],
)
def test_amount_in_words_indian_style(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_amount_in_words_in_another_currency():
    assert amount_in_words(Decimal("12.50"), "USD") == "Dollars twelve and fifty cents only"


def render(source, **context):
    return Template("{% load money %}" + source).render(Context(context))


@pytest.mark.django_db
def test_filter_reads_the_institute_currency_once(django_assert_num_queries):
    Institute.objects.update_or_create(pk=1, defaults={"currency": "USD"})
    institute_memory.forget()  # as another worker, or after its TTL
    amounts = [Decimal(n) for n in range(1, 51)]
    with django_assert_num_queries(1):
        text = render("{% for a in amounts %}{{ a|money }} {% endfor %}", amounts=amounts)
    assert "$1.00" in text and "$50.00" in text
    with django_assert_num_queries(0):
        assert render("{{ a|money }}", a=Decimal("2")) == "$2.00"


@pytest.mark.django_db
def test_a_saved_currency_shows_on_the_next_request(client, office_user):
    institute = Institute.get()
    institute.currency = "USD"
    institute.save()
    client.force_login(office_user)
    assert "$0.00" in client.get("/fees/payments/").content.decode()
    institute.currency = "INR"
    institute.save()
    assert "₹0.00" in client.get("/fees/payments/").content.decode()


def test_filter_with_a_named_currency_and_none():
    assert render('{{ a|money:"INR" }}', a=Decimal("1500")) == "₹1,500.00"
    assert render('{{ a|money:"INR" }}', a=None) == ""
    assert render('{{ a|money_words:"INR" }}', a=Decimal("2")) == "Rupees two only"
