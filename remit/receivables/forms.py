"""Forms for the receivables pages. They only parse and offer choices scoped to the legal
entity; every rule lives in the services, whose errors the views show beside the fields."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from remit.core.exceptions import DomainError, InvalidInput
from remit.core.forms import AmountField
from remit.core.money import is_currency, parse_typed_amount
from remit.ledger.models import Account, AccountType

from .models import (
    BankAccount,
    CashDiscountTerms,
    CustomerGroup,
    CustomerStatus,
    PaymentMethod,
    PaymentTerms,
    SalesTaxCode,
)
from .services import LineSpec

LANGUAGES = [("en", "English"), ("nb", "Norwegian (bokmål)"), ("da", "Danish"),
             ("sv", "Swedish"), ("de", "German"), ("fi", "Finnish")]


class EntityForm(forms.Form):
    def __init__(self, *args, legal_entity, **kwargs):
        super().__init__(*args, **kwargs)
        self.legal_entity = legal_entity
        for name, field in self.fields.items():
            if name == "salesperson":
                field.queryset = salespeople(legal_entity)
            elif isinstance(field, forms.ModelChoiceField):
                field.queryset = field.queryset.filter(legal_entity=legal_entity)


def salespeople(legal_entity):
    """Users who may work in the legal entity and sell (sales roles) — or anyone allowed there."""
    from django.db.models import Q

    User = get_user_model()
    return (User.objects.filter(is_active=True)
            .filter(Q(remit_profile__legal_entities=legal_entity)
                    | Q(remit_profile__all_legal_entities=True))
            .filter(groups__name__in=["Sales rep", "Sales manager"]).distinct()
            .order_by("username"))


class CustomerForm(EntityForm):
    account_number = forms.CharField(max_length=20)
    name = forms.CharField(max_length=200)
    group = forms.ModelChoiceField(CustomerGroup.objects.all())
    currency = forms.CharField(max_length=3, required=False,
                               help_text="ISO 4217; empty: the accounting currency.")
    payment_terms = forms.ModelChoiceField(PaymentTerms.objects.all(), required=False,
                                           help_text="Empty: the group's.")
    cash_discount_terms = forms.ModelChoiceField(CashDiscountTerms.objects.all(), required=False)
    salesperson = forms.ModelChoiceField(get_user_model().objects.none(), required=False)
    language = forms.ChoiceField(choices=LANGUAGES, initial="en")
    organisation_number = forms.CharField(max_length=30, required=False)
    contact_name = forms.CharField(max_length=150, required=False, label="Primary contact")
    contact_email = forms.EmailField(required=False, label="Contact e-mail")
    contact_phone = forms.CharField(max_length=40, required=False, label="Contact phone")
    street = forms.CharField(max_length=200, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    city = forms.CharField(max_length=100, required=False)
    country = forms.CharField(max_length=2, required=False)

    def clean_currency(self):
        value = self.cleaned_data["currency"].strip().upper()
        if value and not is_currency(value):
            raise forms.ValidationError(f"{value} is not an ISO 4217 currency code")
        return value or self.legal_entity.accounting_currency


class CustomerEditForm(EntityForm):
    name = forms.CharField(max_length=200)
    group = forms.ModelChoiceField(CustomerGroup.objects.all())
    status = forms.ChoiceField(choices=CustomerStatus.choices)
    payment_terms = forms.ModelChoiceField(PaymentTerms.objects.all(), required=False)
    cash_discount_terms = forms.ModelChoiceField(CashDiscountTerms.objects.all(), required=False)
    salesperson = forms.ModelChoiceField(get_user_model().objects.none(), required=False)
    language = forms.ChoiceField(choices=LANGUAGES)
    organisation_number = forms.CharField(max_length=30, required=False)


class InvoiceHeaderForm(EntityForm):
    invoice_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text="Empty: from the payment terms.")
    your_reference = forms.CharField(max_length=100, required=False)
    reason = forms.CharField(max_length=255, required=False,
                             help_text="Shown on credit notes and corrections.")


def revenue_accounts(legal_entity):
    return Account.objects.filter(legal_entity=legal_entity, account_type=AccountType.REVENUE,
                                  is_blocked=False).order_by("number")


def tax_codes(legal_entity):
    return SalesTaxCode.objects.filter(legal_entity=legal_entity).order_by("code")


class PaymentForm(EntityForm):
    payment_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    amount = AmountField(max_digits=20, decimal_places=4)  # its sign: the service says
    bank_account = forms.ModelChoiceField(BankAccount.objects.filter(is_active=True))
    method = forms.ChoiceField(choices=PaymentMethod.choices)
    reference = forms.CharField(max_length=100, required=False)
    full_settlement = forms.BooleanField(required=False, help_text="Close the marked items even "
                                         "if the payment falls short (the rest is discount).")


# --- document lines and service errors on forms (invoices here, sales orders too) ---------

LINE_ROWS = 8


def form_errors(form, exc: DomainError) -> None:
    """Put a service's field errors beside the form's fields; the rest on top."""
    placed = False
    for loc, msg in exc.errors:
        if loc and loc[0] in form.fields:
            form.add_error(loc[0], msg)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def line_rows(post, document=None) -> list[dict]:
    """The line grid of a document form: what was posted, else the document's lines."""
    if post:
        return [{"i": i, "n": i + 1, "description": post.get(f"description_{i}", ""),
                 "quantity": post.get(f"quantity_{i}", ""),
                 "unit_price": post.get(f"unit_price_{i}", ""),
                 "account": post.get(f"account_{i}", ""), "tax": post.get(f"tax_{i}", "")}
                for i in range(LINE_ROWS)]
    existing = list(document.lines.all()) if document else []
    rows = []
    for i in range(LINE_ROWS):
        line = existing[i] if i < len(existing) else None
        rows.append({"i": i, "n": i + 1,
                     "description": line.description if line else "",
                     "quantity": f"{line.quantity.normalize():f}" if line else "",
                     "unit_price": f"{line.unit_price.normalize():f}" if line else "",
                     "account": str(line.revenue_account_id) if line else "",
                     "tax": str(line.tax_code_id or "") if line else ""})
    return rows


def line_specs(entity, rows) -> list[LineSpec]:
    accounts = {str(a.pk): a for a in revenue_accounts(entity)}
    taxes = {str(t.pk): t for t in tax_codes(entity)}
    specs, errors = [], []
    filled = [r for r in rows if r["description"] or r["unit_price"]]
    for n, row in enumerate(filled):
        try:  # read the way every amount on the pages is read (no '1e5', no '1,250')
            price = parse_typed_amount(row["unit_price"] or "0")
            quantity = parse_typed_amount(row["quantity"] or "1")
        except DomainError as exc:
            errors.append((("lines", n, "unit_price"), exc.message))
            row["error"] = exc.message
            continue
        specs.append(LineSpec(row["description"], price, quantity,
                                       accounts.get(row["account"]), taxes.get(row["tax"])))
    if errors:
        raise InvalidInput("Some lines are not numbers", errors=errors)
    return specs
