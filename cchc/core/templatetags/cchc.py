from django import forms, template

register = template.Library()


@register.filter
def bs(field):
    """Render a form field with the Bootstrap class that fits its widget."""
    widget = field.field.widget
    if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def points(value):
    """Points and percentages as officials print them: two decimals, rounded half up, comma separator."""
    from decimal import Decimal, InvalidOperation

    from cchc.frameworks.model import fmt_points

    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, (Decimal, int)) else Decimal(str(value))
    except InvalidOperation:
        return value
    return fmt_points(number)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


# Geometry of the server-drawn bar charts (SVG coordinates, not points: plain ints).
BAR_LEFT, BAR_WIDTH, BAR_STEP = 222, 350, 18


@register.filter
def bar_w(percent):
    from decimal import Decimal

    return int(Decimal(percent or 0) * BAR_WIDTH / 100)


@register.filter
def bar_x(percent):
    return BAR_LEFT + bar_w(percent)


@register.filter
def bar_y(position):
    return 14 + int(position) * BAR_STEP


@register.filter
def chart_height(count):
    return 20 + int(count) * BAR_STEP



@register.filter
def exact(value):
    """A stored number as it is, for an input field: no rounding, comma separator ("0,875")."""
    from decimal import Decimal

    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return format(value.normalize(), "f").replace(".", ",")
