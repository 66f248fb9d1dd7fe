"""Numbers of the dossier pages as Vietnamese officials print them: "24.837" (a dot between the
thousands, whatever the interface language, like the comma decimal of the ``points`` filter)."""

from django import template

register = template.Library()


@register.filter
def num(value):
    """A count with a dot between the thousands; "" for None."""
    if value is None or value == "":
        return ""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    return f"{number:,}".replace(",", ".")
