"""The shared helpers pages use: a service's error shown on a form, and the audited reveal."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.forms import api_error_dict, api_error_text, apply_api_error
from powerexpress.core.models import AuditAction, AuditEntry
from powerexpress.core.reveal import reveal_with_audit


class NameForm(forms.Form):
    name = forms.CharField(required=False)
    phone = forms.CharField(required=False)


def bound_form() -> NameForm:
    form = NameForm({"name": "李四", "phone": "13812345678"})
    assert form.is_valid()
    return form


def test_a_field_error_lands_on_its_field_and_an_unknown_field_on_the_form():
    form = bound_form()
    apply_api_error(form, FieldError({"phone": "号码不对", "village_code": "没有这个村"}))
    assert form.errors["phone"] == ["号码不对"]
    assert form.non_field_errors() == ["没有这个村"]
    assert "phone" not in form.cleaned_data


def test_an_error_without_items_shows_its_message_on_the_form_or_on_a_chosen_field():
    form = bound_form()
    apply_api_error(form, ApiError("已被他人处理", status=409, code="conflict"))
    assert form.non_field_errors() == ["已被他人处理"]
    other = bound_form()
    apply_api_error(other, FieldError({"tiers[0]": "档位不对"}), default_field="name")
    assert other.errors["name"] == ["档位不对"]


def test_an_error_as_a_dict_for_a_hand_written_form():
    assert api_error_dict(FieldError({"phone": "号码不对"})) == {"phone": "号码不对"}
    assert api_error_dict(ApiError("不行")) == {"form": "不行"}
    assert api_error_dict(ApiError("不行"), form_key=None) == {}


def test_an_error_as_one_line_of_text():
    two = FieldError({"phone": "号码不对", "name": "必填"})
    assert api_error_text(two) == "号码不对; 必填"
    assert api_error_text(two, sep=" ") == "号码不对 必填"
    assert api_error_text(two, with_fields=True) == "phone: 号码不对; name: 必填"
    assert api_error_text(ApiError("不行")) == "不行"


def test_a_reveal_by_a_user_who_may_see_personal_data_is_audited_with_the_address(world):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    entry = reveal_with_audit(
        user=world.users["manager"],
        object_type="customer",
        object_ref="0101000001",
        fields=("id_number", "phone"),
        request=request,
    )
    assert AuditEntry.objects.get() == entry
    assert (entry.action, entry.object_type, entry.object_ref) == (
        AuditAction.REVEAL,
        "customer",
        "0101000001",
    )
    assert entry.fields == "id_number,phone" and entry.ip_address == "10.1.2.3"
    assert entry.user == world.users["manager"]


def test_a_reveal_by_a_user_without_the_permission_is_refused_and_writes_nothing(world):
    with pytest.raises(PermissionDenied):
        reveal_with_audit(
            user=world.users["auditor"], object_type="customer", object_ref="1", fields=["phone"]
        )
    refusal = ApiError("不能查看", status=403, code="forbidden")
    with pytest.raises(ApiError) as caught:
        reveal_with_audit(
            user=world.users["auditor"],
            object_type="customer",
            object_ref="1",
            fields=["phone"],
            denied=refusal,
        )
    assert caught.value is refusal
    assert AuditEntry.objects.count() == 0
