"""The seven status nodes a candidate follows, in the order they are passed.

Pages show them on every application page and the home page lists them; the order of the members
is the order of the steps.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusNode(models.TextChoices):
    FILL = "fill", _("填写/修改报考信息")
    PHOTO = "photo", _("上传照片")
    # Only in districts that confirm registrations online (天津、上海、新疆兵团 in the seeds).
    MATERIALS = "materials", _("上传材料")
    SUBMIT = "submit", _("提交信息")
    CONFIRM = "confirm", _("报名确认")
    REVIEW = "review", _("资格审核")
    PAY = "pay", _("缴费")
