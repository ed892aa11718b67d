"""Project-wide HTTP response headers."""

# Only this site's own scripts, styles and images; no inline code, no plugins,
# no framing, forms post only back here. The pages are built to need no more.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    """Send a strict Content-Security-Policy unless the response already set one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
