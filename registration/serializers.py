"""Input and output shapes of the accounts API. Input serializers check shape only; services check rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from registration.choices import Degree, Education, IdType, TrainingMode
from registration.models import DegreeRecord, User


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know (API.md: a field not listed is refused with 400)."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        errors: dict[str, Any] = {name: [_("不接受此字段。")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not isinstance(error.detail, Mapping):
                raise
            errors = {**error.detail, **errors}
        if errors:
            raise serializers.ValidationError(errors)
        return value


class RegisterInputSerializer(StrictInputSerializer):
    # Blanks pass through to the service, which names each missing field in its own words.
    username = serializers.CharField(allow_blank=True, max_length=150)
    password = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=128)
    name = serializers.CharField(allow_blank=True, max_length=100)
    id_type = serializers.ChoiceField(choices=IdType.choices)
    id_number = serializers.CharField(allow_blank=True, max_length=40)
    email = serializers.CharField(allow_blank=True, max_length=254)
    mobile = serializers.CharField(allow_blank=True, max_length=20)
    captcha_key = serializers.CharField(max_length=40, help_text=_("GET /api/v1/auth/captcha/ 给出的 key"))
    captcha_answer = serializers.CharField(allow_blank=True, max_length=32, help_text=_("图片中的字符"))


class CaptchaOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    image = serializers.CharField(help_text="data:image/png;base64,...")


class AccountOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "name", "id_type", "id_number_masked", "gender", "birth_date"]


class MeOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [*AccountOutputSerializer.Meta.fields, "email", "mobile", "role"]


class TokenInputSerializer(StrictInputSerializer):
    login = serializers.CharField(max_length=150, help_text=_("用户名或证件号码"))
    password = serializers.CharField(trim_whitespace=False, max_length=128)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(source="key")
    expires_at = serializers.DateTimeField()


class DegreeRecordInputSerializer(StrictInputSerializer):
    education = serializers.ChoiceField(choices=Education.choices)
    certificate_number = serializers.CharField(allow_blank=True, max_length=50)
    school = serializers.CharField(allow_blank=True, max_length=100)
    graduation_date = serializers.DateField()
    training_mode = serializers.ChoiceField(choices=TrainingMode.choices)
    major = serializers.CharField(allow_blank=True, max_length=100)
    degree = serializers.ChoiceField(choices=Degree.choices, default=Degree.NONE)
    degree_certificate_number = serializers.CharField(allow_blank=True, max_length=50, default="")


class DegreeRecordOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = DegreeRecord
        fields = [
            "id",
            "education",
            "certificate_number",
            "school",
            "graduation_date",
            "training_mode",
            "major",
            "degree",
            "degree_certificate_number",
        ]
