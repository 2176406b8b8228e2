"""Alipay as it really is: its bill archive names members in GBK without zip's UTF-8 flag, and holds the
业务明细 CSV (GBK, with its # summary lines) beside its 汇总; SDK and key errors are gateway errors."""

import io
import zipfile

import pytest

from payments.models import Order
from payments.providers.alipay import bill_details
from payments.services.statement_files import Line, read_statement

DETAILS = "\r\n".join(
    [
        "#支付宝业务明细查询",
        "#账号：[20889999999999990156]",
        "#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月02日 00:00:00]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
        "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
        "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注",
        "2026030122001411\t,20260301101010000001\t,交易\t,卫生资格考试报名费\t,2026-03-01 10:10:10\t,"
        "2026-03-01 10:10:30\t,\t,\t,\t,\t,张*(san***@example.com)\t,380.00\t,380.00\t,0.00\t,0.00\t,0.00\t,0.00\t,"
        "0.00\t,\t,0.00\t,0.00\t,\t,-1.33\t,0.00\t,\t",
        "#-----------------------------------------业务明细列表结束------------------------------------",
        "#交易合计：1笔，商家实收共：380.00元，商家优惠共：0.00元",
        "#退款合计：0笔，商家实收退款共：0.00元，商家优惠退款共：0.00元",
        "#导出时间：[2026年03月02日 09:12:41]",
    ]
).encode("gbk")
SUMMARY = "#支付宝业务汇总查询\r\n门店编号,门店名称,交易订单总笔数\r\n合计,,1\r\n".encode("gbk")


class AlipayMember(zipfile.ZipInfo):
    """How Alipay's archiver writes a member: the name's GBK bytes, general-purpose flag 0."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), 0


def alipay_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (
            ("20889999999999990156_20260301_业务明细(汇总).csv", SUMMARY),
            ("20889999999999990156_20260301_业务明细.csv", DETAILS),
        ):
            member = AlipayMember(name, date_time=(2026, 3, 2, 9, 12, 41))
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, content)
    return out.getvalue()


def test_the_archive_is_what_alipay_sends_gbk_names_that_zipfile_misreads():
    data = alipay_archive()
    assert "业务明细.csv".encode("gbk") in data
    # Read naively the names are cp437 mojibake: no member ends with 业务明细.csv.
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not any(name.endswith("业务明细.csv") for name in names)


def test_the_details_csv_is_found_by_its_gbk_name_and_read_with_its_summary_lines():
    details = bill_details(alipay_archive())

    assert details == DETAILS
    lines = list(read_statement(io.BytesIO(details), "alipay"))
    assert lines == [Line(6, "2026030122001411", "20260301101010000001", False, "380.00", "2026-03-01T10:10:30+08:00")]


def test_the_sandbox_serves_its_bill_archive_the_same_way(db, settings):
    import datetime

    from payments_sandbox.services import alipay_bill_archive, sandbox_app_default

    data = alipay_bill_archive(app=sandbox_app_default(), day=datetime.date(2026, 3, 1))

    assert all(not info.flag_bits & 0x800 for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert bill_details(data).decode("gbk").startswith("#支付宝业务明细查询")


def test_an_archive_without_details_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", b"nothing")
    with pytest.raises(KeyError):
        bill_details(out.getvalue())


def test_keys_the_sdk_cannot_load_answer_the_gateway_error_not_a_500(settings, api, application):
    settings.ALIPAY_APP_ID = "2021000000000777"
    settings.ALIPAY_APP_PRIVATE_KEY = "not a key"
    settings.ALIPAY_PUBLIC_KEY = "not a key either"

    response = api.post(f"/api/v1/applications/{application.pk}/order/", {"provider": "alipay"}, format="json")

    assert response.status_code == 503
    assert response.json()["code"] == "gateway_misconfigured"
    assert not Order.objects.exists()
