"""The photo and proof materials over the API (API.md, "The candidate's application").

Uploads are multipart with the file in ``file``; its name and content type are ignored, and a body
over the cap is refused (413) while it arrives. Stored images are answered only to their owner (or
an administrator; staff in scope through ``file_visible_to``), never from a public URL.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from registration import private_files
from registration.models.application import Application
from registration.models.files import MaterialFile
from registration.permissions import IsCandidate
from registration.selectors.applications import application_of_candidate
from registration.selectors.files import (
    SlotFiles,
    account_photo,
    application_photo,
    material_for_viewer,
    material_slots,
    photo_for_viewer,
    require_viewable,
    upload_bounds,
)
from registration.services.files import (
    material_delete,
    material_replace,
    material_rules,
    material_upload,
    materials_finalize,
    photo_rules,
    photo_upload,
    photo_use_account,
)
from registration.uploads import cap_uploads, uploaded_bytes
from wecan.errors import NotFound


class UploadBoundsSerializer(serializers.Serializer):
    min_bytes = serializers.IntegerField(help_text="smallest file the check accepts, bytes")
    max_bytes = serializers.IntegerField(help_text="largest file the check accepts, bytes")
    max_upload_bytes = serializers.IntegerField(help_text="larger uploads are refused (413) while they arrive")
    min_width = serializers.IntegerField(help_text="pixels")
    min_height = serializers.IntegerField(help_text="pixels")
    aspect_ratio = serializers.CharField(allow_null=True, help_text="width:height the photo must have, e.g. 5:7")


class PhotoStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["missing", "pending", "accepted", "rejected"])
    reason = serializers.CharField(allow_blank=True)
    account_photo = serializers.BooleanField(help_text="账户有基本照片，可确认使用")
    bounds = UploadBoundsSerializer(help_text="what this exam accepts as a photo: aim inside it before uploading")


class MaterialFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["pending", "accepted", "rejected"])
    reason = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField(help_text="字节")


class SlotSerializer(serializers.Serializer):
    code = serializers.CharField(source="slot.code")
    title = serializers.CharField(source="slot.title")
    max_files = serializers.IntegerField(source="slot.max_files")
    files = MaterialFileSerializer(many=True)


class MaterialsSerializer(serializers.Serializer):
    finalized = serializers.BooleanField(help_text="已上传全部证明材料")
    slots = SlotSerializer(many=True)
    bounds = UploadBoundsSerializer(help_text="what this exam accepts as a material file")


PENDING_BODY = inline_serializer(name="UploadQueued", fields={"status": serializers.CharField()})
FILE_BODY = inline_serializer(name="FileUpload", fields={"file": serializers.FileField()})
MATERIAL_BODY = inline_serializer(
    name="MaterialUpload", fields={"slot": serializers.CharField(), "file": serializers.FileField()}
)
IMAGE = OpenApiResponse(OpenApiTypes.BINARY, description="image/jpeg, or a redirect to a short-lived signed URL")


def _own(request: Request, application_id: int) -> Application:
    try:
        return application_of_candidate(candidate=request.user, application_id=application_id)  # type: ignore[arg-type]
    except Application.DoesNotExist:
        raise NotFound() from None


def _materials_body(application: Application) -> dict[str, Any]:
    slots: list[SlotFiles] = material_slots(application=application)
    bounds = upload_bounds(rules=material_rules(application.exam))
    return MaterialsSerializer(
        {"finalized": application.materials_finalized, "slots": slots, "bounds": bounds}
    ).data


def _file_body(material: MaterialFile) -> dict[str, Any]:
    material.refresh_from_db()
    return {"id": material.pk, "status": material.status, "reason": material.reason}


class CappedUploadView(APIView):
    """A view taking an upload: the size cap goes in before anything reads the body."""

    parser_classes = [MultiPartParser]

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        cap_uploads(request)
        return super().initialize_request(request, *args, **kwargs)


class PhotoApi(CappedUploadView):
    permission_classes = [IsCandidate]

    @extend_schema(responses=PhotoStatusSerializer, summary="照片状态")
    def get(self, request: Request, application_id: int) -> Response:
        application = _own(request, application_id)
        photo = application_photo(application=application)
        return Response(
            PhotoStatusSerializer(
                {
                    "status": application.photo_status,
                    "reason": photo.reason if photo else "",
                    "account_photo": account_photo(candidate=application.candidate) is not None,
                    "bounds": upload_bounds(rules=photo_rules(application.exam)),
                }
            ).data
        )

    @extend_schema(request=FILE_BODY, responses={202: PENDING_BODY}, summary="上传（更换）考试照片")
    def put(self, request: Request, application_id: int) -> Response:
        application = _own(request, application_id)
        data = uploaded_bytes(request.FILES.get("file"))
        photo_upload(application_id=application.pk, data=data, actor=request.user)  # type: ignore[arg-type]
        return Response({"status": "pending"}, status=status.HTTP_202_ACCEPTED)


class PhotoUseAccountApi(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(request=None, responses={202: PENDING_BODY}, summary="确认使用照片（账户的基本照片）")
    def post(self, request: Request, application_id: int) -> Response:
        application = _own(request, application_id)
        photo_use_account(application_id=application.pk, actor=request.user)  # type: ignore[arg-type]
        return Response({"status": "pending"}, status=status.HTTP_202_ACCEPTED)


class PhotoContentApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: IMAGE, 302: IMAGE}, summary="照片（本人及有权限的工作人员）")
    def get(self, request: Request, application_id: int) -> HttpResponseBase:
        photo = photo_for_viewer(user=request.user, application_id=application_id)
        require_viewable(photo)
        return private_files.image_response(photo.key, download_name=f"photo-{application_id}.jpg")


class MaterialsApi(CappedUploadView):
    permission_classes = [IsCandidate]

    @extend_schema(responses=MaterialsSerializer, summary="证明材料：各材料项及已上传的文件")
    def get(self, request: Request, application_id: int) -> Response:
        return Response(_materials_body(_own(request, application_id)))

    @extend_schema(request=MATERIAL_BODY, responses={201: MaterialFileSerializer}, summary="上传证明材料")
    def post(self, request: Request, application_id: int) -> Response:
        application = _own(request, application_id)
        data = uploaded_bytes(request.FILES.get("file"))
        material = material_upload(
            application_id=application.pk,
            slot_code=str(request.data.get("slot", "")),
            data=data,
            actor=request.user,  # type: ignore[arg-type]
        )
        return Response(_file_body(material), status=status.HTTP_201_CREATED)


class MaterialApi(CappedUploadView):
    permission_classes = [IsCandidate]

    @extend_schema(request=FILE_BODY, responses={201: MaterialFileSerializer}, summary="更换一个证明材料文件")
    def put(self, request: Request, application_id: int, file_id: int) -> Response:
        application = _own(request, application_id)
        data = uploaded_bytes(request.FILES.get("file"))
        material = material_replace(
            application_id=application.pk,
            file_id=file_id,
            data=data,
            actor=request.user,  # type: ignore[arg-type]
        )
        return Response(_file_body(material), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="删除证明材料文件")
    def delete(self, request: Request, application_id: int, file_id: int) -> Response:
        application = _own(request, application_id)
        material_delete(application_id=application.pk, file_id=file_id, actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MaterialContentApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    # The preview size, or the file as uploaded.
    thumbnail = False

    @extend_schema(responses={200: IMAGE, 302: IMAGE}, summary="证明材料图片（本人及有权限的工作人员）")
    def get(self, request: Request, application_id: int, file_id: int) -> HttpResponseBase:
        material = material_for_viewer(user=request.user, application_id=application_id, file_id=file_id)
        require_viewable(material)
        if self.thumbnail:
            return private_files.image_response(material.thumbnail_key, download_name=f"thumbnail-{file_id}.jpg")
        return private_files.image_response(material.key, download_name=f"material-{file_id}.jpg")


class MaterialsFinalizeApi(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(request=None, responses=MaterialsSerializer, summary="上传全部证明材料")
    def post(self, request: Request, application_id: int) -> Response:
        application = _own(request, application_id)
        materials_finalize(application_id=application.pk, actor=request.user)  # type: ignore[arg-type]
        return Response(_materials_body(_own(request, application_id)))


urlpatterns = [
    path("applications/<int:application_id>/photo/", PhotoApi.as_view(), name="api-application-photo"),
    path(
        "applications/<int:application_id>/photo/use-account/",
        PhotoUseAccountApi.as_view(),
        name="api-application-photo-use-account",
    ),
    path(
        "applications/<int:application_id>/photo/content/",
        PhotoContentApi.as_view(),
        name="api-application-photo-content",
    ),
    path("applications/<int:application_id>/materials/", MaterialsApi.as_view(), name="api-application-materials"),
    path(
        "applications/<int:application_id>/materials/finalize/",
        MaterialsFinalizeApi.as_view(),
        name="api-application-materials-finalize",
    ),
    path(
        "applications/<int:application_id>/materials/<int:file_id>/",
        MaterialApi.as_view(),
        name="api-application-material",
    ),
    path(
        "applications/<int:application_id>/materials/<int:file_id>/content/",
        MaterialContentApi.as_view(),
        name="api-application-material-content",
    ),
    path(
        "applications/<int:application_id>/materials/<int:file_id>/thumbnail/",
        MaterialContentApi.as_view(thumbnail=True),
        name="api-application-material-thumbnail",
    ),
]
