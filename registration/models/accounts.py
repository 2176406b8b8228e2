"""Accounts: candidates (with their protected ID numbers and degree records) and scoped staff."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from registration.choices import Degree, Education, Gender, IdType, Role, TrainingMode


class PortalUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        # A superuser is an administrator, never a candidate without an identity.
        extra.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person who logs in: a candidate, or a staff member with a role and the scope it works in.

    A candidate's ID number is never stored in clear: ``id_number_ciphertext`` holds it encrypted,
    ``id_number_digest`` a keyed hash for uniqueness and look-ups, ``id_number_masked`` what may be
    shown. ``registration.services.accounts.candidate_register`` sets all three together.
    """

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices, blank=True)
    id_number_ciphertext = models.TextField(_("证件号码(加密)"), blank=True, editable=False)
    id_number_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False, verbose_name=_("证件号码摘要")
    )
    id_number_masked = models.CharField(_("证件号码"), max_length=24, blank=True, editable=False)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)
    # Fixed by the ID type (and, for HK/Macao, the number): 中国, 中国香港, 中国澳门, 中国台湾 or 其他.
    nationality = models.CharField(_("国籍"), max_length=10, blank=True)

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.CANDIDATE)
    registration_point = models.ForeignKey(
        "registration.RegistrationPoint",
        verbose_name=_("报名点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    site = models.ForeignKey(
        "registration.Site",
        verbose_name=_("考点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    district = models.ForeignKey(
        "registration.District",
        verbose_name=_("考区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )

    objects: ClassVar[PortalUserManager] = PortalUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # Each role carries exactly the scope it works in, and nothing else.
            models.CheckConstraint(
                name="user_scope_matches_role",
                condition=(
                    Q(
                        role__in=[Role.CANDIDATE, Role.ADMINISTRATOR],
                        registration_point__isnull=True,
                        site__isnull=True,
                        district__isnull=True,
                    )
                    | Q(
                        role=Role.POINT_STAFF,
                        registration_point__isnull=False,
                        site__isnull=True,
                        district__isnull=True,
                    )
                    | Q(
                        role=Role.SITE_REVIEWER,
                        registration_point__isnull=True,
                        site__isnull=False,
                        district__isnull=True,
                    )
                    | Q(
                        role__in=[Role.DISTRICT_REVIEWER, Role.FINANCE],
                        registration_point__isnull=True,
                        site__isnull=True,
                        district__isnull=False,
                    )
                ),
            ),
            models.CheckConstraint(
                name="candidate_has_identity",
                condition=~Q(role=Role.CANDIDATE) | (Q(id_number_digest__isnull=False) & ~Q(name="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.name})" if self.name else self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every way a password is changed or reset (pages, admin, ``changepassword``) ends here with
        # ``_password`` set; a hash upgrade at login clears it first. The old API tokens go with the
        # old password, in the same transaction.
        password_changed = getattr(self, "_password", None) is not None and self.pk is not None
        with transaction.atomic():
            super().save(*args, **kwargs)
            if password_changed:
                AuthToken.objects.filter(user=self).delete()

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    @property
    def is_administrator(self) -> bool:
        """Sees and may do everything: a superuser, or the exam administrator role."""
        return self.is_superuser or self.role == Role.ADMINISTRATOR


class DegreeRecord(models.Model):
    """One of the candidate's degrees (学历学位信息维护), cited by the application's 教育情况."""

    candidate = models.ForeignKey(User, on_delete=models.CASCADE, related_name="degree_records", verbose_name=_("考生"))
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices)
    certificate_number = models.CharField(_("学历证书编号"), max_length=50)
    school = models.CharField(_("毕业学校"), max_length=100)
    graduation_date = models.DateField(_("毕业时间"))
    training_mode = models.CharField(_("学习形式"), max_length=10, choices=TrainingMode.choices)
    major = models.CharField(_("所学专业"), max_length=100)
    degree = models.CharField(_("学位"), max_length=4, choices=Degree.choices, default=Degree.NONE)
    degree_certificate_number = models.CharField(_("学位证书编号"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))

    class Meta:
        ordering = ["-graduation_date", "id"]
        verbose_name = _("学历学位信息")
        verbose_name_plural = _("学历学位信息")
        constraints = [
            models.CheckConstraint(
                name="degree_certificate_given_with_degree",
                condition=Q(degree=Degree.NONE) | ~Q(degree_certificate_number=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.education} {self.school} {self.major}"
