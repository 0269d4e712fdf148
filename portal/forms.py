from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Every field renders with its label, help and errors next to it (templates/forms)."""

    field_template_name = "forms/field.html"
