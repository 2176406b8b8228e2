"""Choice lists. Values are the Chinese labels the API takes (API.md), except for codes it names."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_


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


def _labelled(*values: str) -> list[tuple[str, Any]]:
    """Choices whose stored value is the Chinese label itself, as the API takes them.

    The label is that value translated when shown; ``N_`` marks each value for makemessages.
    """
    return [(value, _(value)) for value in values]


ETHNICITIES = _labelled(
    *[
        N_("汉族"),
        N_("蒙古族"),
        N_("回族"),
        N_("藏族"),
        N_("维吾尔族"),
        N_("苗族"),
        N_("彝族"),
        N_("壮族"),
        N_("布依族"),
        N_("朝鲜族"),
        N_("满族"),
        N_("侗族"),
        N_("瑶族"),
        N_("白族"),
        N_("土家族"),
        N_("哈尼族"),
        N_("哈萨克族"),
        N_("傣族"),
        N_("黎族"),
        N_("傈僳族"),
        N_("佤族"),
        N_("畲族"),
        N_("高山族"),
        N_("拉祜族"),
        N_("水族"),
        N_("东乡族"),
        N_("纳西族"),
        N_("景颇族"),
        N_("柯尔克孜族"),
        N_("土族"),
        N_("达斡尔族"),
        N_("仫佬族"),
        N_("羌族"),
        N_("布朗族"),
        N_("撒拉族"),
        N_("毛南族"),
        N_("仡佬族"),
        N_("锡伯族"),
        N_("阿昌族"),
        N_("普米族"),
        N_("塔吉克族"),
        N_("怒族"),
        N_("乌孜别克族"),
        N_("俄罗斯族"),
        N_("鄂温克族"),
        N_("德昂族"),
        N_("保安族"),
        N_("裕固族"),
        N_("京族"),
        N_("塔塔尔族"),
        N_("独龙族"),
        N_("鄂伦春族"),
        N_("赫哲族"),
        N_("门巴族"),
        N_("珞巴族"),
        N_("基诺族"),
        N_("其他"),
        N_("外国血统"),
    ]
)
HEALTH_STATUSES = _labelled(N_("健康"), N_("良好"), N_("一般"), N_("较差"))
NATIONALITIES = _labelled(N_("中国"), N_("中国香港"), N_("中国澳门"), N_("中国台湾"), N_("其他"))
QUALIFICATIONS = _labelled(
    N_("无"),
    N_("医士"),
    N_("医师"),
    N_("主治医师"),
    N_("护士"),
    N_("护师"),
    N_("主管护师"),
    N_("药士"),
    N_("药师"),
    N_("主管药师"),
    N_("技士"),
    N_("技师"),
    N_("主管技师"),
)
PRACTICE_CATEGORIES = _labelled(
    N_("无"),
    N_("临床执业医师"),
    N_("临床执业助理医师"),
    N_("中医执业医师"),
    N_("中医执业助理医师"),
    N_("口腔执业医师"),
    N_("口腔执业助理医师"),
    N_("公共卫生执业医师"),
    N_("公共卫生执业助理医师"),
    N_("执业护士"),
    N_("执业药师"),
)
PRACTICE_CATEGORY_NONE = "无"
HIGHEST_EDUCATIONS = _labelled(N_("中专"), N_("大专"), N_("本科"), N_("硕士"), N_("博士"))
SCHOOLING_YEARS = _labelled(
    N_("二年制"), N_("三年制"), N_("四年制"), N_("五年制"), N_("六年制"), N_("七年制"), N_("八年制")
)
UNIT_AFFILIATIONS = _labelled(
    N_("中央"),
    N_("省(自治区、直辖市)"),
    N_("计划单列市"),
    N_("地(市)"),
    N_("县(区)"),
    N_("乡镇"),
    N_("军队"),
    N_("其他"),
)
UNIT_NATURES = _labelled(N_("医疗卫生"), N_("科研"), N_("教育"), N_("企业"), N_("社会团体"), N_("其他"))
UNIT_CATEGORIES = _labelled(
    N_("三级医院"),
    N_("二级医院"),
    N_("一级医院"),
    N_("社区卫生服务机构"),
    N_("乡镇卫生院"),
    N_("疾病预防控制机构"),
    N_("妇幼保健机构"),
    N_("民营医疗机构"),
    N_("其他"),
)

# A specialty's category and level (reference/specialties.csv): closed vocabularies load_reference
# checks, stored as the Chinese word and shown translated.
SPECIALTY_CATEGORIES = _labelled(
    N_("临床医学类"), N_("中医类"), N_("中西医结合类"), N_("口腔类"), N_("护理类"), N_("药学类"), N_("技术类")
)
SPECIALTY_LEVELS = _labelled(N_("初级(士)"), N_("初级(师)"), N_("中级"))


class CountedFrom(models.TextChoices):
    """Where the years of an eligibility rule start (reference/eligibility.csv ``counted_from``):
    a closed vocabulary ``load_reference`` checks, read by ``review.eligibility``."""

    GRADUATION = "graduation", _("毕业")
    JUNIOR_ASSISTANT_QUALIFICATION = "junior_assistant_qualification", _("取得本专业初级(士)资格")
    JUNIOR_QUALIFICATION = "junior_qualification", _("取得本专业初级(师)资格")
    NURSE_QUALIFICATION = "nurse_qualification", _("取得护师资格")
    NURSE_REGISTRATION = "nurse_registration", _("护士执业注册")
    PHYSICIAN_REGISTRATION = "physician_registration", _("医师执业注册")
    RESIDENCY_CERTIFICATE = "residency_certificate", _("取得住培合格证书")
