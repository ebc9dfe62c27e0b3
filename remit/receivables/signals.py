"""What receivables tells the rest of remit, without knowing who listens (payment predictions
score a new invoice; nothing in receivables depends on them)."""

from django.dispatch import Signal

# sent inside the posting transaction: sender=Invoice, invoice=…, item=the open item
invoice_posted = Signal()
