"""Choice lists. Values are the Chinese labels the API takes (API.md), except for codes it names."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    HK_MACAO_RESIDENCE = "hk_macao_residence", _("港澳居民居住证")
    TAIWAN_RESIDENCE = "taiwan_residence", _("台湾居民居住证")
    HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Role(models.TextChoices):
    CANDIDATE = "candidate", _("考生")
    POINT_STAFF = "point_staff", _("报名点工作人员")
    SITE_REVIEWER = "site_reviewer", _("考点审核人员")
    DISTRICT_REVIEWER = "district_reviewer", _("考区审核人员")
    FINANCE = "finance", _("财务人员")
    ADMINISTRATOR = "administrator", _("考务管理员")


class Education(models.TextChoices):
    SECONDARY = "中专", _("中专")
    JUNIOR_COLLEGE = "大专", _("大专")
    BACHELOR = "本科", _("本科")
    MASTER = "硕士", _("硕士研究生")
    DOCTOR = "博士", _("博士研究生")


class Degree(models.TextChoices):
    NONE = "无", _("无")
    BACHELOR = "学士", _("学士")
    MASTER = "硕士", _("硕士")
    DOCTOR = "博士", _("博士")


class TrainingMode(models.TextChoices):
    FULL_TIME = "全日制", _("全日制")
    PART_TIME = "非全日制", _("非全日制")
    SELF_STUDY = "自学考试", _("自学考试")
    CORRESPONDENCE = "函授", _("函授")
    SPARE_TIME = "业余", _("业余")
    ONLINE = "网络教育", _("网络教育")
