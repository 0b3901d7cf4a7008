import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from . import selectors, services
from .forms import ContactForm, DirectoryFilterForm, ImportForm
from .models import Customer
from .sections import sections_for
from portal.lib.conflicts import redraw
from portal.lib.text import join_list
from portal.lib.uploads import read_capped
from portal.lib.access import permission_required
from portal.permissions import can, require


def get_customer_for(user, slug, *, page=False):
    """Every signed-in colleague may read every customer; a missing one is a 404. `page` (the customer
    page): the columns it shows, whether `user` follows it and its contacts' state, in one query
    (selectors.customer_for_page)."""
    require(user, "customer.view")
    if "\x00" in slug:  # no slug has one, and PostgreSQL refuses to compare text with a NUL
        raise Http404
    if page:
        customer = selectors.customer_for_page(slug, user=user)
        if customer is None:
            raise Http404
        return customer
    return get_object_or_404(Customer.objects.select_related("account_owner"), slug=slug)


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def directory(request):
    industries, regions = selectors.filter_choices()
    form = DirectoryFilterForm(request.GET, industries=industries, regions=regions)
    filters, ignored = form.filters()
    if ignored:
        messages.warning(request, _("Some filters were not understood and were ignored: %(names)s.") % {"names": join_list(ignored)})
    customers = selectors.customer_list(user=request.user, **filters)
    page = Paginator(customers, 24).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "filters": filters, "query": query.urlencode()}
    template = "customers/directory.html#results" if request.htmx and not request.htmx.boosted else "customers/directory.html"
    return render(request, template, context)


@require_http_methods(["GET"])
def detail(request, slug):
    """Per request: the customer, whether I follow it and its contacts' state (one query), the audit
    of the notes I am shown (one statement), whether I may edit contacts, and the sections other apps
    register. The template keeps the customer's parts and its contacts ({% fragment %}, keyed by
    what they show); the contacts are read only when their fragment is drawn."""
    customer = get_customer_for(request.user, slug, page=True)
    services.customer_notes_viewed(by=request.user, customer=customer)
    context = {
        "customer": customer,
        "is_followed": customer.is_followed,
        "can_edit_contacts": can(request.user, "contact.edit", customer),
        "sections": sections_for(customer, request.user),
    }
    return render(request, "customers/detail.html", context)


@require_POST
def follow(request, slug):
    customer = get_customer_for(request.user, slug)
    wanted = request.POST.get("follow")
    if wanted in ("0", "1"):
        services.follow_set(by=request.user, customer=customer, follow=wanted == "1")
        is_followed = wanted == "1"
    else:
        is_followed = services.follow_toggle(by=request.user, customer=customer)
    if request.htmx:
        return render(request, "customers/detail.html#follow-button", {"customer": customer, "is_followed": is_followed})
    if is_followed:
        messages.success(request, _("You now follow %(name)s.") % {"name": customer.name})
    else:
        messages.success(request, _("You no longer follow %(name)s.") % {"name": customer.name})
    return redirect(customer)


@require_http_methods(["GET", "POST"])
def contact_edit(request, slug, pk=None):
    customer = get_customer_for(request.user, slug)
    contact = get_object_or_404(customer.contacts, pk=pk) if pk else None
    require(request.user, "contact.edit", customer)
    # The form validates a copy, so the service still sees the saved values and can audit the change.
    form = ContactForm(request.POST if request.method == "POST" else None, instance=copy.copy(contact))
    if request.method == "GET" and contact is not None:
        services.contacts_viewed(by=request.user, customer=customer, contacts=[contact])
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "seen"}
        try:
            services.contact_save(by=request.user, customer=customer, contact=contact, data=data, seen=form.cleaned_data["seen"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            redraw(form, error)
        else:
            messages.success(request, _("Contact saved."))
            return redirect(customer)
    return render(request, "customers/contact_form.html", {"customer": customer, "contact": contact, "form": form})


@require_POST
def contact_delete(request, slug, pk):
    customer = get_customer_for(request.user, slug)
    contact = get_object_or_404(customer.contacts, pk=pk)
    services.contact_delete(by=request.user, contact=contact)
    messages.success(request, _("Contact removed."))
    return redirect(customer)


@require_http_methods(["GET"])
def autocomplete(request):
    """Customer picker for other apps' forms: `<input name=q>` → a list of options."""
    q = request.GET.get("q") or next((v for k, v in request.GET.items() if k.endswith("_search")), "")
    customers = selectors.customer_search(q.replace("\x00", "").strip()[:100])  # PostgreSQL text has no NUL
    key = "slug" if request.GET.get("key") == "slug" else "pk"  # what the picker's <select> holds
    return render(
        request, "customers/autocomplete.html",
        {"customers": customers, "field": request.GET.get("field", "id_customer"), "q": q, "key": key},
    )


@permission_required("customer.import")
@require_http_methods(["GET", "POST"])
def import_view(request):
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        upload = services.customer_import_start(by=request.user, file_name=file.name, content=read_capped(file))
        return redirect(upload)
    return render(request, "customers/import.html", {"form": form})


@require_http_methods(["GET"])
@permission_required("customer.import")
@vary_on_headers("HX-Request")
def import_status(request, pk):
    """An upload's progress (rows checked, problems found), then its result; the page asks for the
    fragment every second until the import has finished."""
    upload = get_object_or_404(selectors.customer_imports(), pk=pk)
    template = "customers/import_status.html#status" if request.htmx else "customers/import_status.html"
    return render(request, template, {"upload": upload, "form": ImportForm()})
