"""Timeline text with the records it names as links (a lead summary says
"account Fjord Marine AS (/crm/accounts/12/)"; only remit's own record paths become links)."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()
RECORD = re.compile(r"\((/crm/(?:accounts|contacts|opportunities|leads)/\d+/)\)")


@register.filter
def record_links(text: str) -> str:
    html = escape(text or "").replace("\n", "<br>")
    return mark_safe(RECORD.sub(r'(<a href="\1">open</a>)', html))
