"""Finance's screens in the admin: orders, payments, statements, discrepancies, daily totals.

Every list is scoped to the finance user's district (administrators see all) through the same
selectors as the API; other staff do not see the app at all. Actions call the services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Case, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments.exports import daily_totals_csv, daily_totals_xlsx
from payments.models import (
    Discrepancy,
    DiscrepancyAction,
    DiscrepancyStatus,
    OnSiteFee,
    Order,
    OrderEvent,
    Payment,
    Provider,
    Refund,
    Statement,
    StatementLine,
    StatementStatus,
)
from payments.selectors import (
    daily_totals,
    discrepancies_in_scope,
    is_finance_user,
    onsite_fees_in_scope,
    orders_in_scope,
    payments_in_scope,
    statements_in_scope,
)
from payments.services.discrepancies import discrepancy_approve, discrepancy_resolve
from payments.services.reconciliation import statement_upload
from payments.services.refunds import order_refund, payment_refund
from registration.choices import Role
from registration.models import District, User
from wecan.errors import PortalError


def _finance(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and user.is_staff and is_finance_user(user)


def _user(request: HttpRequest) -> User:
    # Every view of this admin is reached only by signed-in finance staff (``_finance``).
    assert isinstance(request.user, User)
    return request.user


class FinanceAdmin(admin.ModelAdmin):
    """Read-only to finance and administrators, invisible to everyone else; writes go through actions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _finance(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _finance(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DistrictFilter(admin.SimpleListFilter):
    """考区, listing only the districts in the user's scope, named without a query per district."""

    title = gettext_lazy("考区")
    parameter_name = "district"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        in_scope = model_admin.get_queryset(request).order_by().values("district_id")
        districts = District.objects.filter(pk__in=in_scope).select_related("exam")
        return [(str(district.pk), str(district)) for district in districts]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(district_id=self.value()) if self.value() else queryset


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ResolveForm(NoteForm):
    resolution = forms.ChoiceField(
        label=gettext_lazy("处理方式"),
        choices=DiscrepancyAction.choices,
        initial=DiscrepancyAction.NONE,
        required=False,
        help_text=gettext_lazy("入账或退款须由本考区另一位财务人员复核后执行。"),
    )


def _with_note(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    title: str,
    apply: Any,
    form_class: type[NoteForm] = NoteForm,
) -> HttpResponse | None:
    """An action that asks for a note on an intermediate page, then applies ``apply(obj, data)`` to each
    (``data`` the form's cleaned data)."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        done = 0
        for obj in queryset:
            try:
                apply(obj, form.cleaned_data)
            except PortalError as error:
                modeladmin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
            else:
                done += 1
        modeladmin.message_user(request, _("已处理 %(count)s 项。") % {"count": done}, messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": queryset,
        "action": request.POST.get("action", ""),
        "opts": modeladmin.model._meta,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "admin/payments/note_action.html", context)


# What each order event means, in words (the rows keep their codes).
ORDER_EVENT_WORDS = {
    "created": gettext_lazy("创建订单"),
    "credited": gettext_lazy("入账"),
    "recovered": gettext_lazy("按对账单补记入账"),
    "credited_by_approval": gettext_lazy("复核后入账"),
    "expired": gettext_lazy("订单过期"),
    "superseded": gettext_lazy("已由另一订单缴费"),
    "refunded": gettext_lazy("退费"),
    "payment_credited": gettext_lazy("收到支付：入账"),
    "payment_duplicate": gettext_lazy("收到支付：重复支付，需退款"),
    "payment_uncreditable": gettext_lazy("收到支付：无法入账，需退款"),
    "payment_refunded": gettext_lazy("退还款项"),
}


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    fields = ("created_at", "what", "actor", "note")
    readonly_fields = fields
    can_delete = False

    @admin.display(description=gettext_lazy("操作"))
    def what(self, event: OrderEvent) -> str:
        return str(ORDER_EVENT_WORDS.get(event.action, event.action))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _finance(request)


@admin.register(Order)
class OrderAdmin(FinanceAdmin):
    list_display = (
        "number",
        "application_number",
        "candidate_name",
        "district",
        "amount",
        "status",
        "provider",
        "created_at",
        "paid_at",
    )
    list_filter = ("status", "provider", DistrictFilter, "created_at")
    search_fields = ("number", "application__number", "payments__trade_no")
    readonly_fields = [field.name for field in Order._meta.fields if field.name != "id"]
    inlines = [OrderEventInline]
    actions = ["refund"]
    change_list_template = "admin/payments/order_change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return orders_in_scope(user=_user(request))

    @admin.display(description=gettext_lazy("网报号"), ordering="application__number")
    def application_number(self, order: Order) -> str:
        return order.application.number

    # Of the application, finance see the 网报号 and the candidate's name only (registration.scope).
    @admin.display(description=gettext_lazy("姓名"), ordering="application__candidate__name")
    def candidate_name(self, order: Order) -> str:
        return order.application.candidate.name

    @admin.action(description=gettext_lazy("退费（通过支付平台原路退回）"))
    def refund(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        return _with_note(
            self,
            request,
            queryset,
            title=_("退费"),
            apply=lambda order, data: order_refund(order_id=order.pk, actor=_user(request), reason=data["note"]),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path("daily-totals/", self.admin_site.admin_view(self.daily_totals_view), name="payments_daily_totals"),
            *super().get_urls(),
        ]

    def daily_totals_view(self, request: HttpRequest) -> HttpResponse:
        """Daily totals per district and exam: a table, a bar chart, and CSV/XLSX exports."""
        if not _finance(request):
            return HttpResponse(status=403)
        rows = daily_totals(user=_user(request))
        export = request.GET.get("export")
        stamp = timezone.localdate().strftime("%Y%m%d")
        if export == "csv":
            response = HttpResponse(daily_totals_csv(rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="daily-totals-{stamp}.csv"'
            return response
        if export == "xlsx":
            response = HttpResponse(
                daily_totals_xlsx(rows),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="daily-totals-{stamp}.xlsx"'
            return response
        peak = max((row.amount for row in rows), default=0) or 1
        bars = [(row, int(100 * row.amount / peak)) for row in rows]
        context = {
            **self.admin_site.each_context(request),
            "title": _("每日缴费汇总"),
            "opts": self.model._meta,
            "rows": rows,
            "bars": bars,
            "chart_height": 24 * len(bars) + 8,
        }
        return TemplateResponse(request, "admin/payments/daily_totals.html", context)


# How a payment became known (payments.services.crediting.SOURCES), in words.
PAYMENT_SOURCES = {
    "notification": gettext_lazy("支付通知"),
    "query": gettext_lazy("主动查询"),
    "statement": gettext_lazy("对账单"),
    "approval": gettext_lazy("复核入账"),
}


class PaymentSourceFilter(admin.SimpleListFilter):
    title = gettext_lazy("来源")
    parameter_name = "source"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(PAYMENT_SOURCES.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Payment]) -> QuerySet[Payment]:
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(Payment)
class PaymentAdmin(FinanceAdmin):
    list_display = ("trade_no", "order", "amount", "paid_at", "disposition", "source_name", "refunded_at")
    list_filter = ("disposition", PaymentSourceFilter, "provider", "paid_at")
    search_fields = ("trade_no", "order__number")
    # The source is shown by its name (source_name), not its code.
    exclude = ["source"]
    readonly_fields = [
        "source_name" if field.name == "source" else field.name for field in Payment._meta.fields if field.name != "id"
    ]

    @admin.display(description=gettext_lazy("来源"), ordering="source")
    def source_name(self, payment: Payment) -> str:
        return str(PAYMENT_SOURCES.get(payment.source, payment.source))

    actions = ["refund_payment"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return payments_in_scope(user=_user(request))

    @admin.action(description=gettext_lazy("退还重复或无法入账的款项"))
    def refund_payment(self, request: HttpRequest, queryset: QuerySet[Payment]) -> HttpResponse | None:
        return _with_note(
            self,
            request,
            queryset,
            title=_("退还款项"),
            apply=lambda payment, data: payment_refund(payment_id=payment.pk, actor=_user(request), note=data["note"]),
        )


@admin.register(OnSiteFee)
class OnSiteFeeAdmin(FinanceAdmin):
    list_display = ("receipt_number", "application", "district", "amount", "recorded_by", "recorded_at")
    list_filter = ("district", "recorded_at")
    search_fields = ("receipt_number", "application__number")
    readonly_fields = [field.name for field in OnSiteFee._meta.fields if field.name != "id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OnSiteFee]:
        # The application's and the district's names carry the exam's year.
        return onsite_fees_in_scope(user=_user(request)).select_related("application__exam", "district__exam")


@admin.register(Refund)
class RefundAdmin(FinanceAdmin):
    list_display = ("out_request_no", "payment", "amount", "status", "requested_by", "created_at", "finished_at")
    list_filter = ("status", "closes_order")
    search_fields = ("out_request_no", "payment__trade_no", "payment__order__number")
    readonly_fields = [field.name for field in Refund._meta.fields if field.name != "id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Refund]:
        payments = payments_in_scope(user=_user(request))
        return Refund.objects.filter(payment__in=payments).select_related("payment", "requested_by")


class StatementUploadForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("支付渠道"), choices=Provider.choices)
    file = forms.FileField(
        label=gettext_lazy("对账单文件"), help_text=gettext_lazy("沙箱对账单 CSV，或支付宝业务明细 CSV（GBK）")
    )
    date = forms.DateField(
        label=gettext_lazy("账单日期"), required=False, help_text=gettext_lazy("不填则取明细中的日期")
    )
    district = forms.ModelChoiceField(label=gettext_lazy("考区"), queryset=District.objects.none(), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.role == Role.FINANCE:
            del self.fields["district"]
        else:
            self.fields["district"].queryset = District.objects.select_related("exam")  # type: ignore[attr-defined]
            self.fields["district"].required = True


@admin.register(Statement)
class StatementAdmin(FinanceAdmin):
    list_display = (
        "__str__",
        "district",
        "period_start",
        "status",
        "progress",
        "lines",
        "matched",
        "discrepancy_count",
    )
    list_filter = ("status", "provider", DistrictFilter)
    readonly_fields = [field.name for field in Statement._meta.fields if field.name not in {"id", "file"}]
    exclude = ("file",)
    change_form_template = "admin/payments/statement_change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Statement]:
        return statements_in_scope(user=_user(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _finance(request)

    @admin.display(description=gettext_lazy("差异"))
    def discrepancy_count(self, statement: Statement) -> str:
        count = statement.amount_mismatch + statement.missing_here + statement.missing_at_gateway + statement.duplicate
        url = reverse("admin:payments_discrepancy_changelist") + f"?statement__id__exact={statement.pk}"
        return format_html('<a href="{}">{}</a>', url, count)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        user = _user(request)
        form = StatementUploadForm(request.POST or None, request.FILES or None, user=user)
        if request.method == "POST" and form.is_valid():
            try:
                statement, created = statement_upload(
                    user=user,
                    provider=form.cleaned_data["provider"],
                    file=form.cleaned_data["file"],
                    district=form.cleaned_data.get("district"),
                    day=form.cleaned_data.get("date"),
                )
            except PortalError as error:
                form.add_error(None, str(error.message))
                for name, texts in error.fields.items():
                    for text in texts:
                        form.add_error(name if name in form.fields else None, text)
            else:
                if created:
                    self.message_user(request, _("对账单已上传，正在后台导入。"), messages.SUCCESS)
                else:
                    self.message_user(
                        request, _("该对账单已导入过，结果如下；重复导入不会改变任何数据。"), messages.INFO
                    )
                return HttpResponseRedirect(reverse("admin:payments_statement_change", args=[statement.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("上传对账单"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/payments/statement_upload.html", context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        statement = self.get_queryset(request).filter(pk=object_id).first()
        running = statement is not None and statement.status in {StatementStatus.PENDING, StatementStatus.IMPORTING}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "import_running": running})


@admin.register(StatementLine)
class StatementLineAdmin(FinanceAdmin):
    list_display = ("statement", "line_no", "trade_no", "out_trade_no", "amount", "paid_at", "kind")
    list_filter = ("kind",)
    search_fields = ("trade_no", "out_trade_no")
    readonly_fields = [field.name for field in StatementLine._meta.fields if field.name != "id"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatementLine]:
        return StatementLine.objects.filter(statement__in=statements_in_scope(user=request.user))  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        # Reached from a statement, not listed on its own.
        return False


@admin.register(Discrepancy)
class DiscrepancyAdmin(FinanceAdmin):
    list_display = (
        "kind",
        "order_number",
        "gateway_trade_no",
        "amount_here",
        "amount_gateway",
        "status",
        "action",
        "proposed_by",
        "detail",
        "created_at",
    )
    list_filter = ("status", "kind", DistrictFilter)
    search_fields = ("order_number", "gateway_trade_no")
    readonly_fields = [field.name for field in Discrepancy._meta.fields if field.name != "id"]
    actions = ["resolve", "approve"]

    # What still waits for finance comes first, oldest first; the resolved ones after it. (Django takes
    # expressions here; the stubs know only field names.)
    ordering = (  # type: ignore[assignment]
        Case(When(status=DiscrepancyStatus.RESOLVED, then=Value(1)), default=Value(0)).asc(),
        "created_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Discrepancy]:
        return discrepancies_in_scope(user=_user(request)).select_related("proposed_by")

    @admin.action(description=gettext_lazy("处理差异（填写说明，或提议入账/退款）"))
    def resolve(self, request: HttpRequest, queryset: QuerySet[Discrepancy]) -> HttpResponse | None:
        return _with_note(
            self,
            request,
            queryset,
            title=_("处理差异"),
            form_class=ResolveForm,
            apply=lambda item, data: discrepancy_resolve(
                discrepancy_id=item.pk,
                actor=_user(request),
                note=data["note"],
                action=data["resolution"] or DiscrepancyAction.NONE,
            ),
        )

    @admin.action(description=gettext_lazy("复核并执行他人提议的入账/退款"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Discrepancy]) -> None:
        done = 0
        for item in queryset:
            try:
                discrepancy_approve(discrepancy_id=item.pk, actor=_user(request))
            except PortalError as error:
                self.message_user(request, f"{item}: {error.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("已复核 %(count)s 项。") % {"count": done}, messages.SUCCESS)
