from django import forms


class CustomerPicker(forms.Select):
    """A plain <select> of customers (works without JavaScript) with an htmx search box above it
    that finds a customer by name as you type and selects it."""

    template_name = "customers/widgets/picker.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["picker_field"] = name
        return context


class CustomerMultiPicker(forms.SelectMultiple):
    template_name = "customers/widgets/picker.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["picker_field"] = name
        return context
