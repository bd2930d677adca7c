from django.template import Context, Template
from django.test import RequestFactory


def test_query_without_removes_one_value_and_the_page():
    request = RequestFactory().get(
        "/catalog/", {"q": "care", "topic": ["a", "b"], "page": "3", "format": "video"}
    )
    template = Template("{% load catalog_tags %}{% query_without 'topic' 'a' %}")

    rendered = template.render(Context({"request": request}))

    assert rendered == "q=care&amp;topic=b&amp;format=video"
