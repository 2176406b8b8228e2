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


def _labelled(*values: str) -> list[tuple[str, str]]:
    """Choices whose stored value is the Chinese label itself, as the API takes them."""
    return [(value, value) for value in values]


ETHNICITIES = _labelled(
    *[
        "汉族",
        "蒙古族",
        "回族",
        "藏族",
        "维吾尔族",
        "苗族",
        "彝族",
        "壮族",
        "布依族",
        "朝鲜族",
        "满族",
        "侗族",
        "瑶族",
        "白族",
        "土家族",
        "哈尼族",
        "哈萨克族",
        "傣族",
        "黎族",
        "傈僳族",
        "佤族",
        "畲族",
        "高山族",
        "拉祜族",
        "水族",
        "东乡族",
        "纳西族",
        "景颇族",
        "柯尔克孜族",
        "土族",
        "达斡尔族",
        "仫佬族",
        "羌族",
        "布朗族",
        "撒拉族",
        "毛南族",
        "仡佬族",
        "锡伯族",
        "阿昌族",
        "普米族",
        "塔吉克族",
        "怒族",
        "乌孜别克族",
        "俄罗斯族",
        "鄂温克族",
        "德昂族",
        "保安族",
        "裕固族",
        "京族",
        "塔塔尔族",
        "独龙族",
        "鄂伦春族",
        "赫哲族",
        "门巴族",
        "珞巴族",
        "基诺族",
        "其他",
        "外国血统",
    ]
)
HEALTH_STATUSES = _labelled("健康", "良好", "一般", "较差")
NATIONALITIES = _labelled("中国", "中国香港", "中国澳门", "中国台湾", "其他")
QUALIFICATIONS = _labelled(
    "无", "医士", "医师", "主治医师", "护士", "护师", "主管护师", "药士", "药师", "主管药师", "技士", "技师", "主管技师"
)
PRACTICE_CATEGORIES = _labelled(
    "无",
    "临床执业医师",
    "临床执业助理医师",
    "中医执业医师",
    "中医执业助理医师",
    "口腔执业医师",
    "口腔执业助理医师",
    "公共卫生执业医师",
    "公共卫生执业助理医师",
    "执业护士",
    "执业药师",
)
PRACTICE_CATEGORY_NONE = "无"
HIGHEST_EDUCATIONS = _labelled("中专", "大专", "本科", "硕士", "博士")
SCHOOLING_YEARS = _labelled("二年制", "三年制", "四年制", "五年制", "六年制", "七年制", "八年制")
UNIT_AFFILIATIONS = _labelled("中央", "省(自治区、直辖市)", "计划单列市", "地(市)", "县(区)", "乡镇", "军队", "其他")
UNIT_NATURES = _labelled("医疗卫生", "科研", "教育", "企业", "社会团体", "其他")
UNIT_CATEGORIES = _labelled(
    "三级医院",
    "二级医院",
    "一级医院",
    "社区卫生服务机构",
    "乡镇卫生院",
    "疾病预防控制机构",
    "妇幼保健机构",
    "民营医疗机构",
    "其他",
)
