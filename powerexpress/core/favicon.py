"""``/favicon.ico``: browsers ask for it on every site whatever the page links. Without it each visit
logged a 404 whose page (the full site template) issued a CSRF cookie — and a favicon request still
in flight from before a sign-out could replace the cookie under a sign-in form being filled."""

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request):
    return HttpResponsePermanentRedirect(static("core/icon-192.png"))
