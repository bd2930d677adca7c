import pytest
from django.template import Context, Template

from learning_portal.core.markdown import render_markdown as markdown


def test_markdown_renders_headings_emphasis_lists_and_links():
    html = markdown("## Outcomes\n\n- **Recognise** sepsis\n- Act [fast](https://nice.org.uk)")

    assert "<h2>Outcomes</h2>" in html
    assert "<li><strong>Recognise</strong> sepsis</li>" in html
    assert '<a href="https://nice.org.uk" rel="noopener noreferrer">fast</a>' in html


def test_markdown_strips_script_tags_with_their_content():
    html = markdown("Hello <script>alert('owned')</script> world")

    assert "<script" not in html
    assert "alert" not in html
    assert "Hello" in html


def test_markdown_strips_event_handler_and_style_attributes():
    html = markdown('<p onclick="steal()" style="color:red">Hi <img src=x onerror="steal()"></p>')

    assert "onclick" not in html
    assert "onerror" not in html
    assert "style" not in html
    assert "steal" not in html
    assert "Hi" in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_markdown_removes_dangerous_link_targets(source):
    html = markdown(source)

    assert "javascript" not in html.lower()
    assert "data:" not in html
    assert "click" in html


def test_markdown_removes_style_iframe_and_form_elements():
    html = markdown(
        "<style>body{display:none}</style><iframe src='https://evil.test'></iframe>"
        "<form action='https://evil.test'><input name=x></form>Text"
    )

    for fragment in ("<style", "display:none", "<iframe", "<form", "<input"):
        assert fragment not in html
    assert "Text" in html


def test_markdown_of_empty_description_is_empty():
    assert markdown("") == ""
    assert markdown(None) == ""


def test_markdown_filter_output_is_not_escaped_again_in_templates():
    rendered = Template("{% load markup %}{{ text|markdown }}").render(
        Context({"text": "*Gentle* care"})
    )

    assert rendered == "<p><em>Gentle</em> care</p>"
