"""Forms of the account pages. They check what only a page has (repeated entries, the captcha);
the services check the rest, so the pages and the API give the same answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from registration.auth import LoginBusy
from registration.choices import Degree, Education, IdType, TrainingMode
from registration.identity import normalize_id_number
from registration.selectors.accounts import login_failures_from
from registration.services.captcha import CAPTCHA_WRONG
from registration.throttling import client_address
from wecan.errors import PortalError

_BLANK_CHOICE = [("", _("请选择"))]


class ServiceForm(forms.Form):
    """A form whose input goes to a service: shows the service's ``PortalError`` beside the inputs it names."""

    # The service's field name where the form calls the input differently.
    service_field_names: Mapping[str, str] = {}

    def add_portal_error(self, error: PortalError) -> None:
        if not error.fields:
            self.add_error(None, str(error.message))
        for name, messages in error.fields.items():
            field = self.service_field_names.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class RefreshableCaptchaInput(CaptchaTextInput):
    """The captcha with a 换一张 button, which fetches a new picture without reloading the page, so
    what was typed in the other fields stays."""

    template_name = "registration/captcha_widget.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["refresh_url"] = self.refresh_url()
        return context


class PortalCaptchaField(CaptchaField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("验证码"))
        kwargs.setdefault("help_text", _("请输入图片中的字符，不区分大小写；看不清可点“换一张”。"))
        kwargs.setdefault("widget", RefreshableCaptchaInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))
        kwargs.setdefault("error_messages", {"invalid": CAPTCHA_WRONG, "required": _("请输入验证码。")})
        super().__init__(**kwargs)


class RegistrationForm(ServiceForm):
    service_field_names = {"password": "password1"}

    username = forms.CharField(
        label=_("用户名"),
        max_length=30,
        help_text=_("4至30个字符，只能包含字母、数字和下划线。"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        help_text=_("须与有效证件上的姓名一致；支持间隔号“·”和生僻字，无法输入的字用括号加拼音代替，如“王(yan)”。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_type = forms.ChoiceField(label=_("证件类型"), choices=_BLANK_CHOICE + list(IdType.choices))
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=40,
        help_text=_("证件号码注册后不能修改，请仔细核对。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    id_number_confirm = forms.CharField(
        label=_("确认证件号码"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    email = forms.CharField(
        label=_("电子邮箱"),
        max_length=254,
        help_text=_("找回密码时，重设链接会发到这个邮箱。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    captcha = PortalCaptchaField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        id_number, confirm = data.get("id_number"), data.get("id_number_confirm")
        if id_number and confirm and normalize_id_number(id_number) != normalize_id_number(confirm):
            self.add_error("id_number_confirm", _("两次输入的证件号码不一致。"))
        return data

    def service_arguments(self) -> dict[str, str]:
        """What ``candidate_register`` takes, from a valid form."""
        data = self.cleaned_data
        names = ("username", "name", "id_type", "id_number", "email", "mobile")
        return {"password": data["password1"], **{name: data[name] for name in names}}


class BusyLoginMixin:
    """A sign-in form whose password check found the process's slots taken (``LoginBusy``) says so
    above the form, with what was typed kept, instead of failing the page."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc]
        except LoginBusy as busy:
            raise ValidationError(str(busy.message), code=busy.code) from None


class LoginForm(BusyLoginMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("用户名或证件号码"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("用户名（或证件号码）或密码不正确。密码区分大小写。"),
        "inactive": _("该账号已停用。"),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self._ask_for_captcha_when_due()

    def _ask_for_captcha_when_due(self) -> None:
        # After a few failures from this address, a script must solve a captcha for every guess.
        if self.request is None or "captcha" in self.fields:
            return
        if login_failures_from(address=client_address(self.request)) >= settings.LOGIN_CAPTCHA_AFTER_FAILURES:
            self.fields["captcha"] = PortalCaptchaField()

    def clean(self) -> dict[str, Any]:
        if "captcha" in self.errors:
            # No password is checked (nor a failure counted) without the captcha.
            return self.cleaned_data
        try:
            return super().clean()
        except ValidationError:
            # The failure just counted may be the one that brings the captcha to the form shown next.
            self._ask_for_captcha_when_due()
            raise


class StaffLoginForm(BusyLoginMixin, AdminAuthenticationForm):
    """The back office's sign-in."""


class DegreeRecordForm(ServiceForm):
    education = forms.ChoiceField(label=_("学历"), choices=_BLANK_CHOICE + list(Education.choices))
    certificate_number = forms.CharField(label=_("学历证书编号"), max_length=50)
    school = forms.CharField(label=_("毕业学校"), max_length=100)
    graduation_date = forms.DateField(label=_("毕业时间"), widget=forms.DateInput(attrs={"type": "date"}))
    training_mode = forms.ChoiceField(label=_("学习形式"), choices=_BLANK_CHOICE + list(TrainingMode.choices))
    major = forms.CharField(label=_("所学专业"), max_length=100)
    degree = forms.ChoiceField(label=_("学位"), choices=Degree.choices, initial=Degree.NONE)
    degree_certificate_number = forms.CharField(
        label=_("学位证书编号"), max_length=50, required=False, help_text=_("学位为“无”时不填。")
    )


class IdentityAppealForm(ServiceForm):
    name = forms.CharField(label=_("姓名"), max_length=50, help_text=_("与证件上的姓名一致。"))
    id_type = forms.ChoiceField(label=_("证件类型"), choices=_BLANK_CHOICE + list(IdType.choices))
    id_number = forms.CharField(
        label=_("证件号码"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.CharField(
        label=_("电子邮箱"),
        max_length=254,
        help_text=_("申诉通过后，设置密码的链接会发到这个邮箱。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    mobile = forms.CharField(label=_("手机号码"), max_length=11, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    id_card = forms.FileField(
        label=_("证件照片"),
        help_text=_("证件正面的清晰照片，JPG格式，不超过1MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg"}),
    )
    holding_photo = forms.FileField(
        label=_("手持证件照片"),
        help_text=_("本人手持该证件的照片，面部和证件信息都要清晰，JPG格式，不超过1MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg"}),
    )
    statement = forms.CharField(
        label=_("情况说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    captcha = PortalCaptchaField()
