"""Accounts API (API.md "Accounts"): register, get a token, the account, its degree records."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import logout
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import permissions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from registration.auth import LoginBusy, login_authenticate, password_check_free
from registration.models import User
from registration.permissions import IsCandidate
from registration.selectors.accounts import degree_record_list
from registration.serializers import (
    AccountOutputSerializer,
    CaptchaOutputSerializer,
    DegreeRecordInputSerializer,
    DegreeRecordOutputSerializer,
    MeOutputSerializer,
    RegisterInputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
)
from registration.services.accounts import (
    candidate_register,
    degree_record_create,
    user_token_issue,
    user_token_revoke,
)
from registration.services.captcha import CAPTCHA_WRONG, captcha_check, captcha_issue
from registration.throttling import (
    SIGN_IN_LIMITS,
    CaptchaByAddress,
    RegisterByAccount,
    RegisterByAddress,
    ThrottledApiMixin,
)
from wecan.errors import InvalidInput
from wecan.parsers import JSONParser


@method_decorator(sensitive_post_parameters("password", "id_number"), name="dispatch")
class RegisterApi(ThrottledApiMixin, APIView):
    # Public, and without session authentication so that no CSRF token is asked of a new visitor.
    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = (RegisterByAddress, RegisterByAccount)

    @extend_schema(
        operation_id="auth_register",
        request=RegisterInputSerializer,
        responses={
            201: AccountOutputSerializer,
            400: OpenApiResponse(description="invalid：fields 逐项说明哪里不对（证件号码已注册、验证码不对也在此）"),
            429: OpenApiResponse(description="throttled：同一地址或同一证件号码注册过于频繁，见 Retry-After"),
        },
        summary="注册考生账号",
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # The captcha first, and alone: without it nothing is checked, so nobody learns by script
        # whether an ID number is registered.
        if not captcha_check(key=data.pop("captcha_key"), answer=data.pop("captcha_answer")):
            raise InvalidInput(fields={"captcha_answer": [str(CAPTCHA_WRONG)]})
        user = candidate_register(**data)
        return Response(AccountOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class CaptchaApi(ThrottledApiMixin, APIView):
    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = (CaptchaByAddress,)

    @extend_schema(
        operation_id="auth_captcha",
        responses={200: CaptchaOutputSerializer},
        summary="取一个注册用的验证码：key 与图片（data URL），注册时连同答案一起提交",
    )
    def get(self, request: Request) -> Response:
        return Response(CaptchaOutputSerializer(captcha_issue(request=request)).data)


@method_decorator(sensitive_post_parameters("password", "login"), name="dispatch")
class TokenApi(ThrottledApiMixin, APIView):
    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = SIGN_IN_LIMITS
    # JSON only: django-axes copies form-encoded bodies into its records, and ``login`` may be an ID number.
    parser_classes = (JSONParser,)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before the limits and the lockout, which read the database: in a burst of logins, one that
        # would find the password check taken is answered at once.
        if not password_check_free():
            raise LoginBusy()
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="auth_token",
        request=TokenInputSerializer,
        responses={
            200: TokenOutputSerializer,
            400: OpenApiResponse(description="invalid_credentials：用户名（或证件号码）或密码不正确"),
            429: OpenApiResponse(
                description="locked_out：从同一地址连续失败后，该账号在此地址暂时锁定（锁定期间密码正确也不能登录）；"
                "throttled：请求过于频繁，见 Retry-After；"
                "busy：服务器正忙于核对其他登录的密码，本次未核对也不计失败，Retry-After 秒后重试"
            ),
        },
        summary="用用户名或证件号码和密码换取令牌",
    )
    def post(self, request: Request) -> Response:
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = login_authenticate(request=request, **serializer.validated_data)
        return Response(TokenOutputSerializer(user_token_issue(user=user)).data)


class LogoutApi(APIView):
    @extend_schema(
        operation_id="auth_logout",
        request=None,
        responses={204: OpenApiResponse(description="令牌已作废")},
        summary="退出登录：作废本次请求所用的令牌",
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            user_token_revoke(token=request.auth)
        else:
            # Signed in by the browser session (with its CSRF token): the session ends instead.
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(operation_id="me", responses={200: MeOutputSerializer}, summary="当前账号")
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(request.user).data)


class DegreeRecordsApi(GenericAPIView):
    permission_classes = (IsCandidate,)

    @extend_schema(
        operation_id="me_degrees_list",
        responses={200: DegreeRecordOutputSerializer(many=True)},
        summary="学历学位信息列表",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(degree_record_list(candidate=self._candidate(request)))
        return self.get_paginated_response(DegreeRecordOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="me_degrees_create",
        request=DegreeRecordInputSerializer,
        responses={201: DegreeRecordOutputSerializer},
        summary="添加学历学位信息",
    )
    def post(self, request: Request) -> Response:
        serializer = DegreeRecordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = degree_record_create(candidate=self._candidate(request), **serializer.validated_data)
        return Response(DegreeRecordOutputSerializer(record).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _candidate(request: Request) -> User:
        return cast(User, request.user)  # IsCandidate lets only a signed-in candidate through


urlpatterns = [
    path("auth/captcha/", CaptchaApi.as_view(), name="api-captcha"),
    path("auth/register/", RegisterApi.as_view(), name="api-register"),
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("auth/logout/", LogoutApi.as_view(), name="api-logout"),
    path("me/", MeApi.as_view(), name="api-me"),
    path("me/degrees/", DegreeRecordsApi.as_view(), name="api-degrees"),
]
