"""The public home page: what the portal is and the steps of registration."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from registration.models import User
from registration.nodes import StatusNode
from registration.selectors.applications import applications_of_candidate
from registration.selectors.progress import next_step
from registration.views.applications import next_step_link

# What the candidate does at each node, as the home page explains it.
STEP_DESCRIPTIONS = {
    StatusNode.FILL: _("依次填写考点信息、基本信息、联系方式、报考信息、教育情况、工作情况六部分，每部分单独保存。"),
    StatusNode.PHOTO: _("上传本人近期证件照（JPEG 格式），照片审核通过后才能提交。"),
    StatusNode.MATERIALS: _("线上确认的考区：按考区的材料清单上传证明材料，再点击“上传全部证明材料”。"),
    StatusNode.SUBMIT: _("核对无误后提交报名信息并打印报名表；报名确认前可撤回修改，修改后须重新打印。"),
    StatusNode.CONFIRM: _("报名点或考点核对报名表和材料，确认通过后“报名确认”节点变为绿色。"),
    StatusNode.REVIEW: _("考点初审、考区终审两个阶段，考区审核通过后“资格审核”节点变为绿色。"),
    StatusNode.PAY: _("开通网上缴费的考区，资格审核通过后须在规定时间内缴费，缴费成功即报名成功。"),
}


def home(request: HttpRequest) -> HttpResponse:
    steps = [(node, STEP_DESCRIPTIONS[node]) for node in StatusNode]
    context: dict[str, Any] = {"steps": steps}
    user = request.user
    if isinstance(user, User) and user.is_candidate:
        # 继续报名: the latest application's next step, one button from the home page.
        application = applications_of_candidate(candidate=user).first()
        if application is not None:
            step = next_step(application)
            context.update(
                application=application,
                next_step=step,
                continue_url=next_step_link(step, application)
                or reverse("application-overview", kwargs={"application_id": application.pk}),
            )
    return render(request, "home.html", context)


urlpatterns = [path("", home, name="home")]
