import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from registration.models import User
from registration.nodes import StatusNode

pytestmark = pytest.mark.django_db


def test_status_nodes_are_the_seven_steps_in_order():
    assert [(node.value, node.label) for node in StatusNode] == [
        ("fill", "填写/修改报考信息"),
        ("photo", "上传照片"),
        ("materials", "上传材料"),
        ("submit", "提交信息"),
        ("confirm", "报名确认"),
        ("review", "资格审核"),
        ("pay", "缴费"),
    ]


def test_home_page_lists_the_seven_steps_in_order(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert [node for node, _ in response.context["steps"]] == list(StatusNode)
    html = response.content.decode()
    positions = [html.index(f'data-node="{node.value}"') for node in StatusNode]
    assert positions == sorted(positions)


def test_anonymous_header_links_to_login_and_register(client):
    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("login")}"' in html
    assert f'href="{reverse("register")}"' in html
    assert f'action="{reverse("logout")}"' not in html


def test_signed_in_header_shows_the_users_name_and_a_logout_form(client):
    user = User.objects.create_user(username="wangfang", password="x", role="administrator", name="王芳")
    client.force_login(user)

    html = client.get(reverse("home")).content.decode()

    assert "王芳" in html
    assert f'<form class="inline-form" method="post" action="{reverse("logout")}">' in html
    assert f'href="{reverse("login")}"' not in html


def test_language_switch_posts_to_set_language_and_returns_to_the_same_page(client):
    html = client.get(reverse("home") + "?from=header").content.decode()

    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language" value="en"' in html
    assert 'name="next" value="/?from=header"' in html


def test_choosing_english_serves_the_page_in_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302

    html = client.get(reverse("home")).content.decode()

    assert '<html lang="en">' in html
    assert "Fill in / edit application" in html
    assert "填写/修改报考信息" not in html
    assert 'name="language" value="zh-hans"' in html


def test_messages_are_shown_in_the_messages_area(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    SessionMiddleware(lambda request: HttpResponse()).process_request(request)
    MessageMiddleware(lambda request: HttpResponse()).process_request(request)
    messages.success(request, "报名信息已保存。")

    html = render(request, "home.html", {"steps": []}).content.decode()

    assert '<li class="message message--success" role="status">报名信息已保存。</li>' in html
