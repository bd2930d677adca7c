"""The weekly discussion: threads, posts and replies (HTMX), editing, hiding; and a
person's own posts, to download or erase."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors, services
from ..forms import DigestForm, HideForm, PostForm
from .common import act_then_return, circle_or_404

POSTS_PER_PAGE = 20


def _reader_or_404(request, slug):
    """The circle and the person's membership; 404 for anyone who may not read it."""
    circle = circle_or_404(request.user, slug)
    membership = selectors.circle_membership(user=request.user, circle=circle)
    if not membership.can_read_discussion:
        raise Http404("No such discussion.")
    return circle, membership


def _thread_or_404(circle, week):
    thread = circle.threads.filter(week=week).first()
    if thread is None:
        raise Http404("This week's discussion has not opened yet.")
    return thread


@login_required
@require_http_methods(["GET", "POST"])
def discussion(request, slug):
    circle, membership = _reader_or_404(request, slug)
    if request.method == "POST":
        form = DigestForm(request.POST)
        if form.is_valid() and membership.is_member:
            services.digest_setting_update(
                circle=circle, user=request.user, frequency=form.cleaned_data["frequency"]
            )
            messages.success(request, "Your digest setting is saved.")
        return redirect("circles:discussion", slug=slug)
    return render(
        request,
        "circles/discussion.html",
        {
            "circle": circle,
            "membership": membership,
            "threads": selectors.thread_list_for(circle=circle),
            "digest_form": DigestForm(
                initial={"frequency": services.digest_frequency(circle=circle, user=request.user)}
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request, slug, week):
    circle, membership = _reader_or_404(request, slug)
    thread = _thread_or_404(circle, week)
    form = PostForm(request.POST or None)
    if request.method == "POST":
        parent = None
        if form.is_valid() and form.cleaned_data["parent"]:
            parent = thread.posts.filter(pk=form.cleaned_data["parent"]).first()
            if parent is None:
                form.add_error(None, "The post you replied to is gone.")
        if form.is_valid():
            try:
                post = services.post_create(
                    thread=thread,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    parent=parent,
                    may_quote=form.cleaned_data["may_quote"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if request.htmx:
                    post.can_edit = True
                    post.prefetched_replies = []
                    return render(
                        request,
                        "circles/_post_created.html",
                        {
                            "post": post,
                            "parent": parent,
                            "membership": membership,
                            "thread": thread,
                            "form": PostForm(),
                            "blank_form": PostForm(),
                        },
                    )
                return redirect(post.get_absolute_url())
        if request.htmx:
            # The form comes back with its errors, out of band; nothing is added.
            return render(
                request,
                "circles/_post_created.html",
                {"post": None, "parent": parent, "thread": thread, "form": form},
            )
    page = Paginator(selectors.thread_posts(thread=thread), POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    for post in page:
        post.prefetched_replies = list(post.replies.all())
        for item in [post, *post.prefetched_replies]:
            item.can_edit = services.can_edit(post=item, user=request.user, now=now)
    return render(
        request,
        "circles/thread.html",
        {
            "circle": circle,
            "thread": thread,
            "membership": membership,
            "page": page,
            "form": form,
            "blank_form": PostForm(),
            "threads": selectors.thread_list_for(circle=circle),
        },
        status=400 if form.errors else 200,
    )


def _own_post_or_404(request, slug, week, pk):
    circle, membership = _reader_or_404(request, slug)
    thread = _thread_or_404(circle, week)
    post = thread.posts.select_related("author").filter(pk=pk).first()
    if post is None:
        raise Http404("No such post.")
    return circle, membership, thread, post


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, slug, week, pk):
    circle, membership, thread, post = _own_post_or_404(request, slug, week, pk)
    form = PostForm(request.POST or None, initial={"body": post.body, "may_quote": post.may_quote})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(
                post=post,
                user=request.user,
                body=form.cleaned_data["body"],
                may_quote=form.cleaned_data["may_quote"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your post is updated.")
            return redirect(post.get_absolute_url())
    if post.author_id != request.user.pk:
        raise Http404("No such post.")
    return render(
        request,
        "circles/post_edit.html",
        {"circle": circle, "thread": thread, "post": post, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def post_delete(request, slug, week, pk):
    _, _, thread, post = _own_post_or_404(request, slug, week, pk)
    return act_then_return(
        request,
        lambda: services.post_delete(post=post, user=request.user),
        done="Your post is deleted.",
        to=thread.get_absolute_url(),
    )


@login_required
@require_POST
def post_hide(request, slug, week, pk):
    _, membership, thread, post = _own_post_or_404(request, slug, week, pk)
    if not membership.can_manage:
        raise Http404("No such post.")
    form = HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the post is hidden: the reason is kept with it.")
        return redirect(post.get_absolute_url())
    services.post_hide(post=post, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, "The post is hidden. Its text and your reason are kept.")
    return redirect(post.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def my_posts(request):
    """A person's own discussion posts: see, download (JSON) or erase them all."""
    if request.method == "POST":
        if request.POST.get("confirm") != "delete":
            messages.error(request, "Tick the box to confirm that every post should be deleted.")
            return redirect("circles:my_posts")
        count = services.my_posts_delete(user=request.user)
        messages.success(request, f"{count} post{'s' if count != 1 else ''} deleted.")
        return redirect("circles:my_posts")
    if request.GET.get("format") == "json":
        response = JsonResponse(
            {"posts": services.my_posts_export(user=request.user)},
            json_dumps_params={"indent": 2, "ensure_ascii": False},
        )
        response["Content-Disposition"] = 'attachment; filename="my-circle-posts.json"'
        return response
    return render(request, "circles/my_posts.html", {"posts": services.my_posts(user=request.user)})
