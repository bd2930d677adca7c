from django.http import Http404
from django.shortcuts import render

from . import selectors


def item_list(request):
    items = selectors.item_list_visible_to(user=request.user)[:50]
    return render(request, "catalog/item_list.html", {"items": items})


def item_detail(request, slug):
    item = selectors.item_get_visible_to(user=request.user, slug=slug)
    if item is None:
        raise Http404("No such item.")
    return render(request, "catalog/item_detail.html", {"item": item})
