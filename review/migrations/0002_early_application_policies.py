"""The two early-application policies of the seeds (seed 000, seed 003); administrators edit them in the admin."""

from django.db import migrations

POLICIES = [
    {
        "key": "community_health",
        "name": "社区卫生服务机构提前一年报考",
        "description": (
            "凡到社区卫生服务机构工作的医师、护师（已被社区卫生服务机构正式聘用），可提前一年参加"
            "全科医学、全科医学(中医类)、社区护理专业的考试（国人部发〔2006〕69号）。"
        ),
        "years_early": 1,
        "specialty_codes": ["301", "302", "373"],
        "once_only": False,
    },
    {
        "key": "frontline_epidemic",
        "name": "疫情防控一线医务人员提前一年申报",
        "description": (
            "参加新冠肺炎疫情防控的一线医务人员，在符合相应报名条件的基础上，晋升高一级职称可以提前一年"
            "申报（人社厅发〔2020〕23号）；原则上只享受一次。"
        ),
        "years_early": 1,
        "specialty_codes": [],
        "once_only": True,
    },
]


def create_policies(apps, schema_editor):
    policy_model = apps.get_model("review", "EarlyApplicationPolicy")
    for values in POLICIES:
        policy_model.objects.get_or_create(key=values["key"], defaults=values)


def delete_policies(apps, schema_editor):
    apps.get_model("review", "EarlyApplicationPolicy").objects.filter(
        key__in=[values["key"] for values in POLICIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]

    operations = [migrations.RunPython(create_policies, delete_policies)]
