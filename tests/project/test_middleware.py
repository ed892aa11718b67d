from django.http import HttpResponse
from django.test import RequestFactory

from braze_scim.middleware import CONTENT_SECURITY_POLICY, ContentSecurityPolicyMiddleware


def test_the_policy_is_strict():
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives == {
        "default-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }


def test_the_policy_is_added_but_never_overrides_a_views_own():
    plain = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))
    assert plain(RequestFactory().get("/"))["Content-Security-Policy"] == CONTENT_SECURITY_POLICY

    def own_policy(request):
        response = HttpResponse("ok")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    custom = ContentSecurityPolicyMiddleware(own_policy)
    assert custom(RequestFactory().get("/"))["Content-Security-Policy"] == "default-src 'none'"
