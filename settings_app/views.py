"""The SCIM Provisioning settings page. Views turn requests into service calls.

Company admins open their own company's page. Superusers belong to no company
(see DashboardUser): they choose one on the company chooser, the choice is kept
in the session, and the settings pages keep their URLs. Every settings form
carries the company it was served for, so a superuser who switched company in
another tab cannot apply a form to the wrong one.

The plaintext token appears in exactly one response: the one to the POST that
issued it. It is rendered straight into that page, sent with
`Cache-Control: no-store` (never_cache), and never put in the session or the
messages framework. The forms carry the token generation they were served
with, so a resubmitted POST (reload, back button, double click) mints nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from settings_app.connect_guide import scim_connect_guide
from settings_app.forms import CompanyChoiceForm, ScimProvisioningForm, ScimTokenCheckForm, ScimTokenResetForm
from settings_app.identifiers import name_key
from settings_app.models import Company, ProvisioningMethod
from settings_app.selectors.scim_status import scim_allowlist_lockout, scim_status_summary
from settings_app.services.activity import scim_auth_failure_list, scim_settings_activity_list
from settings_app.services.audit import Actor
from settings_app.services.enablement import ScimNotActive, ScimStatus, scim_disable, scim_status
from settings_app.services.ip_allowlist import client_ip_resolve
from settings_app.services.provisioning import (
    provisioning_configure,
    provisioning_configure_and_issue_token,
    provisioning_get,
)
from settings_app.services.token_check import (
    TOO_MANY_CHECKS,
    TooManyTokenChecks,
    scim_token_check,
    token_check_count,
)
from settings_app.services.tokens import StaleTokenRequest, scim_token_issue

STALE_REQUEST_MESSAGE = (
    "That request was already handled, so no new token was issued. A token is shown only once: "
    "if you did not copy it, use Reset Token."
)
TOKEN_EXISTS_MESSAGE = "A SCIM token already exists. Use Reset Token to replace it."
NOT_CONFIGURED_MESSAGE = "Configure SCIM provisioning and generate a token first."
SETTINGS_SAVED_MESSAGE = "Settings saved. The SCIM token is unchanged."
SCIM_DISABLED_MESSAGE = (
    "SCIM provisioning is disabled: the token no longer works. Generate SCIM Token turns it on again with a new token."
)
NOTHING_TO_DISABLE_MESSAGE = "SCIM provisioning is not active, so there is nothing to disable."
STALE_DISABLE_MESSAGE = (
    "The SCIM token changed since that page was shown, so nothing was disabled. Check the status below."
)
COMPANY_SWITCHED_MESSAGE = (
    "You switched to %(company)s in another tab, so nothing was changed. This page now shows %(company)s."
)

# The session key of the company a superuser chose (its primary key).
CHOSEN_COMPANY_SESSION_KEY = "settings_company_id"


def scim_endpoint_url(request) -> str:
    """The SCIM base URL shown to the admin: SCIM_BASE_URL, or this host's /scim/v2/."""
    # A literal path, not reverse("scim_api:..."): settings_app never depends on scim_api.
    return settings.SCIM_BASE_URL or request.build_absolute_uri("/scim/v2/")


def client_ip(request) -> str | None:
    """The admin's address for the audit trail; X-Forwarded-For only from TRUSTED_PROXIES."""
    return client_ip_resolve(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
    )


def login_attempt_key(request, credentials) -> str | None:
    """Whose login a failed attempt counts against (django-axes): the typed email's name_key.

    Login finds the user by that key (DashboardUserManager.get_by_natural_key), so
    `Viewer@example.com` and `VIEWER@EXAMPLE.COM` are one person and share one count.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    typed = credentials.get(field) if credentials else request.POST.get(field)
    return name_key(typed) if isinstance(typed, str) else None


def chosen_company(request) -> Company | None:
    """The company a superuser chose for the settings pages in this session, if it still exists."""
    company_id = request.session.get(CHOSEN_COMPANY_SESSION_KEY)
    return Company.objects.filter(pk=company_id).first() if isinstance(company_id, int) else None


def redirect_to_company_chooser(request) -> HttpResponseRedirect:
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('settings_app:company_choose')}?{query}")


class CompanySettingsAdminMixin(LoginRequiredMixin):
    """Anonymous users go to the login page; signed-in users need company settings rights.

    A company admin works on their own company. A superuser works on the company
    chosen in this session (no choice yet: the chooser, then back here); a POST
    from a page served for another company changes nothing.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.user.is_superuser:
            company = chosen_company(request)
            if company is None:
                return redirect_to_company_chooser(request)
            if request.method == "POST" and request.POST.get("company") != str(company.pk):
                messages.info(request, COMPANY_SWITCHED_MESSAGE % {"company": company.name})
                return HttpResponseRedirect(reverse("settings_app:scim_provisioning"), status=303)
            self.company = company
        elif request.user.can_manage_company_settings():
            self.company = request.user.company
        else:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class CompanyChooseView(LoginRequiredMixin, View):
    """Superusers choose the company whose settings pages they open; the choice is kept in the session."""

    template_name = "settings_app/company_choose.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        chosen = chosen_company(request)
        form = CompanyChoiceForm(initial={"company": chosen, "next": request.GET.get("next", "")})
        return self.render_page(form)

    def post(self, request):
        form = CompanyChoiceForm(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        request.session[CHOSEN_COMPANY_SESSION_KEY] = form.cleaned_data["company"].pk
        return HttpResponseRedirect(self.next_url(form.cleaned_data["next"]), status=303)

    def next_url(self, candidate: str) -> str:
        """Where to go after choosing: `next` when it is a page of this site, else the SCIM Provisioning page."""
        safe = url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return candidate if candidate and safe else reverse("settings_app:scim_provisioning")

    def render_page(self, form):
        return render(self.request, self.template_name, {"form": form})


_token_view_decorators = [never_cache, sensitive_post_parameters()]


@method_decorator(_token_view_decorators, name="dispatch")
class ScimProvisioningPageView(CompanySettingsAdminMixin, View):
    """What the settings page and the reset step share: the page itself, the redirect back."""

    template_name = "settings_app/scim_provisioning.html"

    def unbound_form(self, provisioning):
        if provisioning is None:
            return ScimProvisioningForm(company=self.company)
        return ScimProvisioningForm(
            company=self.company,
            initial={
                "method": provisioning.method,
                "default_workspace": provisioning.default_workspace_id,
                "service_origin": provisioning.service_origin,
                "ip_allowlist": provisioning.ip_allowlist,
                "token_generation": provisioning.token_generation,
            },
        )

    def redirect_to_page(self):
        # 303: the browser follows with a GET, so a reload never repeats the POST.
        return HttpResponseRedirect(reverse("settings_app:scim_provisioning"), status=303)

    @method_decorator(sensitive_variables("new_token"))
    def render_page(
        self, *, provisioning, form, new_token: str | None = None, lockout=None, check_form=None, check=None, status=200
    ):
        # Served without a token yet, the Generate button starts enabled only when
        # the settings shown are already valid (saved ones are); the script takes
        # over from there as the admin types.
        settings_valid = provisioning is not None and not form.is_bound
        endpoint = scim_endpoint_url(self.request)
        summary = scim_status_summary(company=self.company, provisioning=provisioning)
        context = {
            "company": self.company,
            "provisioning": provisioning,
            "form": form,
            "new_token": new_token,
            "generate_enabled": settings_valid,
            "endpoint": endpoint,
            "scim": summary,
            "lockout": lockout,
            "status": summary.status,
            **self.connect_context(provisioning, endpoint),
            "reset_form": ScimTokenResetForm(
                initial={"token_generation": getattr(provisioning, "token_generation", 0)}
            ),
            "activity": scim_settings_activity_list(company=self.company),
            "auth_failures": scim_auth_failure_list(company=self.company),
            "check_form": check_form or ScimTokenCheckForm(),
            "check": check,
        }
        return render(self.request, self.template_name, context, status=status)

    def connect_context(self, provisioning, endpoint) -> dict:
        """The "How to connect" panel, once SCIM is configured: the chosen method's steps first."""
        if provisioning is None:
            return {"connect": None, "connect_methods": []}
        methods = sorted(ProvisioningMethod, key=lambda method: method != provisioning.method)
        return {
            "connect": scim_connect_guide(
                provisioning=provisioning, base_url=endpoint, example_email=self.request.user.email
            ),
            "connect_methods": [
                {"value": method.value, "label": method.label, "template": f"settings_app/connect/{method.value}.html"}
                for method in methods
            ],
        }


class ScimProvisioningView(ScimProvisioningPageView):
    """Show and save the settings; Generate SCIM Token saves them and issues the first token.

    A Save whose IP allowlist would newly refuse the address of the last
    accepted SCIM request saves nothing yet: the page asks, naming the
    address, and only its "Save anyway" button (which carries that address)
    saves. No script needed.
    """

    def get(self, request):
        provisioning = provisioning_get(company=self.company)
        return self.render_page(provisioning=provisioning, form=self.unbound_form(provisioning))

    @method_decorator(sensitive_variables("token"))
    def post(self, request):
        provisioning = provisioning_get(company=self.company)
        form = ScimProvisioningForm(request.POST, company=self.company)
        if not form.is_valid():
            return self.render_page(provisioning=provisioning, form=form)
        actor = Actor.admin(request.user)
        valid = form.settings
        settings_arguments = {
            "company": self.company,
            "actor": actor,
            "method": valid.method,
            "default_workspace": valid.default_workspace,
            "service_origin": valid.service_origin,
            "ip_allowlist": valid.ip_allowlist,
            "source_ip": client_ip(request),
        }
        if request.POST.get("action") != "generate":
            lockout = scim_allowlist_lockout(
                company=self.company, provisioning=provisioning, ip_allowlist=valid.ip_allowlist
            )
            if lockout is not None and request.POST.get("lockout_confirmed") != lockout.client_ip:
                # Save anyway (below the form) confirms this address; any other submit asks again.
                return self.render_page(provisioning=provisioning, form=form, lockout=lockout)
            provisioning_configure(**settings_arguments)
            messages.success(request, SETTINGS_SAVED_MESSAGE)
            return self.redirect_to_page()
        if provisioning is not None and provisioning.has_token:
            # Generate is for the first token; replacing one goes through the confirmed reset.
            messages.info(
                request, STALE_REQUEST_MESSAGE if self.is_resubmission(form, provisioning) else TOKEN_EXISTS_MESSAGE
            )
            return self.redirect_to_page()
        try:
            provisioning, token = provisioning_configure_and_issue_token(
                expected_generation=form.cleaned_data["token_generation"], **settings_arguments
            )
        except StaleTokenRequest:
            messages.info(request, STALE_REQUEST_MESSAGE)
            return self.redirect_to_page()
        return self.render_page(provisioning=provisioning, form=self.unbound_form(provisioning), new_token=token)

    @staticmethod
    def is_resubmission(form, provisioning) -> bool:
        return form.cleaned_data["token_generation"] != provisioning.token_generation


class ScimTokenResetView(ScimProvisioningPageView):
    """Reset Token: a confirmation step, then a new token shown once; the old one stops working."""

    confirm_template_name = "settings_app/scim_token_reset_confirm.html"

    def get(self, request):
        provisioning = provisioning_get(company=self.company)
        if provisioning is None or not provisioning.has_token:
            messages.info(request, NOT_CONFIGURED_MESSAGE)
            return self.redirect_to_page()
        form = ScimTokenResetForm(initial={"token_generation": provisioning.token_generation})
        return self.render_confirm(provisioning=provisioning, form=form)

    @method_decorator(sensitive_variables("token"))
    def post(self, request):
        provisioning = provisioning_get(company=self.company)
        if provisioning is None or not provisioning.has_token:
            messages.info(request, NOT_CONFIGURED_MESSAGE)
            return self.redirect_to_page()
        form = ScimTokenResetForm(request.POST)
        if not form.is_valid():
            # A tampered nonce: start the confirmation over with the current one.
            form = ScimTokenResetForm(initial={"token_generation": provisioning.token_generation})
            return self.render_confirm(provisioning=provisioning, form=form)
        if not form.cleaned_data["confirmed"]:
            # Without JavaScript, the Reset Token button lands here: ask before revoking.
            return self.render_confirm(provisioning=provisioning, form=form)
        try:
            token = scim_token_issue(
                provisioning=provisioning,
                actor=Actor.admin(request.user),
                expected_generation=form.cleaned_data["token_generation"],
                source_ip=client_ip(request),
            )
        except StaleTokenRequest:
            messages.info(request, STALE_REQUEST_MESSAGE)
            return self.redirect_to_page()
        return self.render_page(provisioning=provisioning, form=self.unbound_form(provisioning), new_token=token)

    def render_confirm(self, *, provisioning, form):
        context = {"company": self.company, "provisioning": provisioning, "form": form}
        return render(self.request, self.confirm_template_name, context)


class ScimDisableView(ScimProvisioningPageView):
    """Disable SCIM: a confirmation step, then the token stops working and no new one is issued."""

    confirm_template_name = "settings_app/scim_disable_confirm.html"

    def get(self, request):
        provisioning = provisioning_get(company=self.company)
        if scim_status(provisioning) != ScimStatus.ACTIVE:
            messages.info(request, NOTHING_TO_DISABLE_MESSAGE)
            return self.redirect_to_page()
        form = ScimTokenResetForm(initial={"token_generation": provisioning.token_generation})
        return self.render_confirm(provisioning=provisioning, form=form)

    def post(self, request):
        provisioning = provisioning_get(company=self.company)
        if scim_status(provisioning) != ScimStatus.ACTIVE:
            messages.info(request, NOTHING_TO_DISABLE_MESSAGE)
            return self.redirect_to_page()
        form = ScimTokenResetForm(request.POST)
        if not form.is_valid() or not form.cleaned_data["confirmed"]:
            # Without JavaScript the Disable SCIM button lands here; a tampered nonce starts over.
            form = ScimTokenResetForm(initial={"token_generation": provisioning.token_generation})
            return self.render_confirm(provisioning=provisioning, form=form)
        try:
            scim_disable(
                company=self.company,
                actor=Actor.admin(request.user),
                expected_generation=form.cleaned_data["token_generation"],
                source_ip=client_ip(request),
            )
        except (ScimNotActive, StaleTokenRequest):
            # A token was issued, or SCIM disabled, since this form was served: ask again about the current state.
            messages.info(request, STALE_DISABLE_MESSAGE)
            return self.redirect_to_page()
        messages.success(request, SCIM_DISABLED_MESSAGE)
        return self.redirect_to_page()

    def render_confirm(self, *, provisioning, form):
        context = {"company": self.company, "provisioning": provisioning, "form": form}
        return render(self.request, self.confirm_template_name, context)


class ScimTokenCheckView(ScimProvisioningPageView):
    """Check a token (POST only): the page, answering what a SCIM request with it would get.

    The token is a sensitive POST parameter (error reports hide it), the
    answer is never cached, and the token field is never rendered back.
    """

    http_method_names = ["post"]

    @method_decorator(sensitive_variables("token"))
    def post(self, request):
        provisioning = provisioning_get(company=self.company)
        form = ScimTokenCheckForm(request.POST)
        page = {"provisioning": provisioning, "form": self.unbound_form(provisioning)}
        if not form.is_valid():
            return self.render_page(**page, check_form=form, status=400)
        try:
            token_check_count(user=request.user)
        except TooManyTokenChecks:
            return self.render_page(**page, check_form=form, check={"refused": TOO_MANY_CHECKS}, status=429)
        token = form.cleaned_data["token"]
        answer = scim_token_check(
            company=self.company,
            token=token,
            origin=form.cleaned_data["origin"],
            client_ip=form.cleaned_data["client_ip"] or None,
        )
        return self.render_page(**page, check_form=form, check={"answer": answer})
