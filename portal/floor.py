"""The bench's floor: the cheapest page a signed-in person can get (see bench/README.md).

Session and user lookup (middleware), one indexed query, base.html with nothing in it. Every main
page's throughput and latency are reported as a ratio to this one, measured in the same run."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from customers.models import Customer


@require_GET
def floor(request):
    customer = Customer.objects.filter(pk=1).first()
    return render(request, "portal/bench_floor.html", {"customer": customer, "user": request.user})
